// ODS definition of the `mml` attributes: fixed-point formats and declared parameters.
#ifndef MML_ATTRIBUTES_TD
#define MML_ATTRIBUTES_TD

include "mml/Dialect/MML/MMLDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class MML_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<MML_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def MML_FixedPointAttr : MML_Attr<"FixedPoint", "fixed"> {
  let summary = "A fixed-point format: ap_fixed<W, I, Q, O> or ap_ufixed";
  let description = [{
    `W` is the total width in bits (1 to 1024, the widest any HLS tool accepts), `I` the
    integer bits including the sign bit for signed formats (any integer; `I > W` and `I < 0`
    are legal in `ap_fixed`). The optional quantisation mode is one of `TRN` (default),
    `TRN_ZERO`, `RND`, `RND_ZERO`, `RND_INF`, `RND_MIN_INF`, `RND_CONV`; the overflow mode one
    of `WRAP` (default), `SAT`, `SAT_ZERO`, `SAT_SYM`.

    ```mlir
    #mml.fixed<16, 6>
    #mml.fixed<8, 0, unsigned>
    #mml.fixed<18, 8, RND, SAT>
    ```
  }];
  let parameters = (ins "int64_t":$width, "int64_t":$integerBits, "bool":$isSigned,
                        StringRefParameter<"quantisation mode", "\"TRN\"">:$quantization,
                        StringRefParameter<"overflow mode", "\"WRAP\"">:$overflow);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The C++ type an HLS tool sees, e.g. `ap_fixed<16,6,AP_RND,AP_SAT>`.
    std::string getHlsTypeName() const;
    /// The language spelling, e.g. `fixed<16,6,RND,SAT>`.
    std::string getSourceSpelling() const;
    static bool isQuantizationMode(llvm::StringRef mode);
    static bool isOverflowMode(llvm::StringRef mode);
    /// Why a format is invalid, or nullopt when it is valid.
    static std::optional<std::string> findProblem(int64_t width, int64_t integerBits,
        bool isSigned, llvm::StringRef quantization, llvm::StringRef overflow);
  }];
}

def MML_ParamAttr : MML_Attr<"Param", "param"> {
  let summary = "A declared parameter of a task, flow or search: type, default, domain, doc";
  let description = [{
    Describes one parameter. `default` is absent for required parameters. A domain is either
    a range (`lower`/`upper`, each optionally open) or a set of `choices`; `log` marks a
    search parameter sampled on a log scale. An `optional` parameter has no default and may be
    left out of a call (`weight: fixed?` in the language).

    ```mlir
    #mml.param<name = "tolerance", type = f64, default_value = 2.000000e-02 : f64,
               lower = 0.000000e+00 : f64, upper = 1.000000e+00 : f64, doc = "alpha">
    #mml.param<name = "reuse", type = i64, choices = [1, 2, 4, 8]>
    ```
  }];
  let parameters = (ins
    "::mlir::StringAttr":$name,
    "::mlir::Type":$type,
    OptionalParameter<"::mlir::Attribute">:$default_value,
    OptionalParameter<"::mlir::Attribute">:$lower,
    OptionalParameter<"::mlir::Attribute">:$upper,
    DefaultValuedParameter<"bool", "false">:$lower_open,
    DefaultValuedParameter<"bool", "false">:$upper_open,
    OptionalParameter<"::mlir::ArrayAttr">:$choices,
    DefaultValuedParameter<"bool", "false">:$log,
    OptionalParameter<"::mlir::StringAttr">:$doc,
    DefaultValuedParameter<"bool", "false">:$optional);
  let assemblyFormat = "`<` struct(params) `>`";
  let extraClassDeclaration = [{
    /// Required: no default and not optional; a call must give it.
    bool isRequired() const { return !getDefaultValue() && !getOptional(); }
    bool hasDomain() const { return getLower() || getUpper() || getChoices(); }
    /// Whether a constant value lies in the declared domain (true without a domain).
    bool admits(::mlir::Attribute value) const;
    /// The domain in language syntax, e.g. `[0, 1]` or `{"latency", "resource"}`.
    std::string describeDomain() const;
  }];
}

#endif // MML_ATTRIBUTES_TD
