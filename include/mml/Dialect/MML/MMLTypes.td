// ODS definition of the `mml` types: model levels, data, devices, metrics, strings, lists, formats.
#ifndef MML_TYPES_TD
#define MML_TYPES_TD

include "mml/Dialect/MML/MMLDialect.td"
include "mlir/IR/AttrTypeBase.td"

class MML_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<MML_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def MML_DnnType : MML_Type<"Dnn", "dnn"> {
  let summary = "A DNN-level model (architecture, weights, masks) in the model space";
  let description = [{
    A handle to a trained or untrained network held by the runtime's DNN engine. DNN-level
    tasks (`train`, `prune`, `scale`) take and return `!mml.dnn`. Example: `!mml.dnn`.
  }];
}

def MML_HlsType : MML_Type<"Hls", "hls"> {
  let summary = "An HLS C++ project (hls4ml layout) in the model space";
  let description = [{
    Produced by `hls4ml` or `hls_import`; consumed by `quantize`, `estimate`, `synth` and the
    metaprogramming tasks. Example: `!mml.hls`.
  }];
}

def MML_RtlType : MML_Type<"Rtl", "rtl"> {
  let summary = "An RTL design with synthesis (or estimated) metrics";
  let description = [{ Produced by `synth` from an `!mml.hls` project. Example: `!mml.rtl`. }];
}

def MML_DataType : MML_Type<"Data", "data"> {
  let summary = "A data set with its train/validation/test splits";
  let description = [{ Produced by the source tasks (`fashion_mnist`, `csv`, ...). Example: `!mml.data`. }];
}

def MML_DeviceType : MML_Type<"Device", "device"> {
  let summary = "An FPGA part with a target clock";
  let description = [{ Produced by `part(name, clock: ...)`. Example: `!mml.device`. }];
}

def MML_MetricsType : MML_Type<"Metrics", "metrics"> {
  let summary = "A record of metrics (accuracy, dsp, lut, ff, bram, latency, ...)";
  let description = [{ Produced by `evaluate`, `estimate` and `report`. Example: `!mml.metrics`. }];
}

def MML_StringType : MML_Type<"String", "str"> {
  let summary = "A string value";
  let description = [{ Example: `!mml.str`. }];
}

def MML_FixedType : MML_Type<"Fixed", "fixed"> {
  let summary = "A fixed-point format value (width, integer bits, signedness, modes)";
  let description = [{
    The value of a `fixed<W,I>` literal in the language: a *format*, passed to tasks such
    as `hls4ml(precision: ...)`. Constants carry a `#mml.fixed` attribute. Example: `!mml.fixed`.
  }];
}

def MML_ListType : MML_Type<"List", "list"> {
  let summary = "A list of scalars";
  let description = [{ A list literal such as `[64, 32]`. Example: `!mml.list<i64>`. }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
  let builders = [TypeBuilderWithInferredContext<(ins "::mlir::Type":$elementType), [{
    return $_get(elementType.getContext(), elementType);
  }]>];
}

def MML_ModelType : AnyTypeOf<[MML_DnnType, MML_HlsType, MML_RtlType]>;

#endif // MML_TYPES_TD
