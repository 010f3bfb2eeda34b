// Pass mml-materialize-defaults: every call gets every parameter, with the origin of its value
// (and `slurm.` cfg entries become the module's Slurm site options).
#include "mml/Dialect/MML/MMLPasses.h"
#include "mml/FrontEnd/ModuleLoader.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <set>

namespace mml {
#define GEN_PASS_DEF_MATERIALIZEDEFAULTS
#include "mml/Dialect/MML/MMLPasses.h.inc"
} // namespace mml

using namespace mlir;
using namespace mml;

namespace {

/// One override: a cfg entry (origin "cfg") or a --set (origin "set").
struct Override {
  SmallVector<std::string> path; // [flow.]*task
  std::string param;
  Attribute value;
  StringRef origin;
  Location loc;
  std::string key;
  bool used = false;
};

/// Whether a key component names a call-path component (`prune` matches `prune#2`, `*` any).
bool componentMatches(StringRef keyPart, StringRef pathPart) {
  return keyPart == "*" || keyPart == pathPart || keyPart == pathPart.split('#').first;
}

/// Whether `keyPath` is a suffix of `callPath`.
bool pathMatches(ArrayRef<std::string> keyPath, ArrayRef<StringRef> callPath) {
  if (keyPath.size() > callPath.size())
    return false;
  for (size_t i = 0; i < keyPath.size(); ++i)
    if (!componentMatches(keyPath[keyPath.size() - 1 - i], callPath[callPath.size() - 1 - i]))
      return false;
  return true;
}

FailureOr<Override> makeOverride(StringRef key, Attribute value, StringRef origin, Location loc) {
  SmallVector<StringRef> parts;
  key.split(parts, '.');
  if (parts.size() < 2 || llvm::any_of(parts, [](StringRef p) { return p.empty(); })) {
    emitError(loc) << "configuration key '" << key
                   << "' must be [flow.]*task.parameter, e.g. prune.tolerance ('*' matches any "
                      "task: *.seed)";
    return failure();
  }
  Override o{{}, parts.back().str(), value, origin, loc, key.str()};
  for (StringRef p : ArrayRef<StringRef>(parts).drop_back())
    o.path.push_back(p.str());
  return o;
}

/// Converts an override's value to the parameter's type (ints are accepted for floats).
Attribute coerceTo(Attribute value, Type type, Builder &b) {
  if (isa<FloatType>(type)) {
    if (auto i = dyn_cast<IntegerAttr>(value); i && i.getType().isInteger(64))
      return b.getF64FloatAttr(static_cast<double>(i.getInt()));
    return isa<FloatAttr>(value) ? value : Attribute();
  }
  if (type.isInteger(64))
    if (auto i = dyn_cast<IntegerAttr>(value); i && i.getType().isInteger(64))
      return value;
  if (type.isInteger(1))
    return isa<BoolAttr>(value) ? value : Attribute();
  if (isa<StringType>(type)) {
    if (isa<StringAttr>(value))
      return value;
    return {};
  }
  if (isa<FixedType>(type))
    return isa<FixedPointAttr>(value) ? value : Attribute();
  if (auto list = dyn_cast<ListType>(type)) {
    auto array = dyn_cast<ArrayAttr>(value);
    if (!array)
      return {};
    SmallVector<Attribute> elements;
    for (Attribute e : array) {
      Attribute c = coerceTo(e, list.getElementType(), b);
      if (!c)
        return {};
      elements.push_back(c);
    }
    return b.getArrayAttr(elements);
  }
  return {};
}

Value materializeValue(OpBuilder &builder, Location loc, Type type, Attribute value) {
  if (auto global = dyn_cast<FlatSymbolRefAttr>(value))
    return builder.create<GlobalGetOp>(loc, type, global.getValue());
  if (isa<IntegerType, FloatType>(type))
    return builder.create<arith::ConstantOp>(loc, cast<TypedAttr>(value));
  return builder.create<ConstantOp>(loc, type, value);
}

/// Materialises each distinct default once per flow, at the top of its body: a flow with
/// hundreds of calls would otherwise get one constant per call and parameter.
class ConstantCache {
public:
  Value get(CallOp call, Type type, Attribute value) {
    Operation *owner = call->getParentOp();
    while (owner && !isa<FlowOp, GlobalOp>(owner))
      owner = owner->getParentOp();
    if (!owner) { // not inside a flow or global: materialise in place
      OpBuilder builder(call);
      return materializeValue(builder, call.getLoc(), type, value);
    }
    Value &slot = cache[{owner, {value, type}}];
    if (!slot) {
      Block &entry = owner->getRegion(0).front();
      OpBuilder builder(&entry, entry.begin());
      slot = materializeValue(builder, owner->getLoc(), type, value);
    }
    return slot;
  }

private:
  llvm::DenseMap<std::pair<Operation *, std::pair<Attribute, Type>>, Value> cache;
};

struct MaterializeDefaultsPass : mml::impl::MaterializeDefaultsBase<MaterializeDefaultsPass> {
  using MaterializeDefaultsBase::MaterializeDefaultsBase;
  SmallVector<Attribute> slurmOptions; // `slurm.` cfg entries

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Override> overrides;
    if (failed(collectOverrides(module, overrides)))
      return signalPassFailure();
    SymbolTable symbols(module);
    SmallVector<CallOp> calls;
    module.walk([&](CallOp call) { calls.push_back(call); });
    ConstantCache constants;
    for (CallOp call : calls)
      if (failed(materialize(call, symbols, overrides, constants)))
        return signalPassFailure();
    bool allUsed = true;
    for (Override &o : overrides)
      if (!o.used) {
        emitError(o.loc) << (o.origin == "set" ? "--set key '" : "cfg key '") << o.key
                         << "' matches no parameter of any task call"
                         << mml::didYouMean(o.key, keysOf(calls, symbols));
        allUsed = false;
      }
    if (!allUsed)
      return signalPassFailure();
    for (CfgEntryOp entry : llvm::make_early_inc_range(module.getOps<CfgEntryOp>()))
      entry.erase();
  }

  LogicalResult collectOverrides(ModuleOp module, SmallVectorImpl<Override> &overrides) {
    llvm::StringMap<Location> seenKeys;
    for (CfgEntryOp entry : module.getOps<CfgEntryOp>()) {
      auto [it, inserted] = seenKeys.try_emplace(entry.getKey(), entry.getLoc());
      if (!inserted) {
        InFlightDiagnostic diag = entry.emitError("cfg key '")
                                  << entry.getKey() << "' is set twice";
        diag.attachNote(it->second) << "first set here";
        return failure();
      }
      if (entry.getKey().starts_with("slurm.")) { // a site option of the Slurm executor
        if (failed(collectSlurmOption(module, entry)))
          return failure();
        continue;
      }
      FailureOr<Override> o = makeOverride(entry.getKey(), entry.getValue(), "cfg", entry.getLoc());
      if (failed(o))
        return failure();
      overrides.push_back(*o);
    }
    if (!slurmOptions.empty())
      module->setAttr("mml.slurm", ArrayAttr::get(&getContext(), slurmOptions));
    // --set values are written in the language's literal syntax; anything that is not a
    // literal (a path, a bare word) is taken as a string.
    llvm::SourceMgr sourceMgr;
    ModuleLoader loader(getContext(), sourceMgr, {});
    for (const std::string &setting : this->overrides) {
      Location loc = FileLineColLoc::get(&getContext(), "<command line>", 0, 0);
      auto [key, text] = StringRef(setting).split('=');
      key = key.trim();
      text = text.trim();
      if (!StringRef(setting).contains('=') || key.empty()) {
        emitError(loc) << "--set expects key=value, got '" << setting << "'";
        return failure();
      }
      Attribute value = parseValue(loader, text);
      FailureOr<Override> o = makeOverride(key, value, "set", loc);
      if (failed(o))
        return failure();
      overrides.push_back(*o);
    }
    return success();
  }

  /// `slurm.OPTION = V` (every job) or `slurm.TASK.OPTION = V` (jobs whose part calls TASK), with
  /// OPTION one of partition, time, mem, arg (strings) or cpus (a positive int): kept in the
  /// module attribute `mml.slurm` as [task, option, value] string triples for the runtime.
  LogicalResult collectSlurmOption(ModuleOp module, CfgEntryOp entry) {
    SmallVector<StringRef> parts;
    entry.getKey().split(parts, '.');
    static const char *const kOptions[] = {"partition", "time", "mem", "cpus", "arg"};
    StringRef option = parts.back();
    if (parts.size() < 2 || parts.size() > 3 || !llvm::is_contained(kOptions, option))
      return entry.emitError("cfg key '")
             << entry.getKey()
             << "': a Slurm option is slurm.OPTION or slurm.TASK.OPTION with OPTION one of "
                "partition, time, mem, cpus, arg"
             << mml::didYouMean(option, ArrayRef<const char *>(kOptions));
    StringRef task = parts.size() == 3 ? parts[1] : StringRef();
    if (!task.empty()) {
      auto decl = SymbolTable::lookupNearestSymbolFrom<TaskOp>(module, StringAttr::get(&getContext(), task));
      if (!decl)
        return entry.emitError("cfg key '") << entry.getKey() << "': no task '" << task << "' in this program";
    }
    std::string value;
    if (option == "cpus") {
      auto n = dyn_cast<IntegerAttr>(entry.getValue());
      if (!n || n.getInt() < 1)
        return entry.emitError("cfg key '") << entry.getKey() << "': cpus must be a positive int";
      value = std::to_string(n.getInt());
    } else {
      auto text = dyn_cast<StringAttr>(entry.getValue());
      if (!text || text.getValue().empty())
        return entry.emitError("cfg key '") << entry.getKey() << "': " << option
                                            << " must be a non-empty string, e.g. \"16G\"";
      value = text.getValue().str();
    }
    slurmOptions.push_back(ArrayAttr::get(
        &getContext(), {StringAttr::get(&getContext(), task), StringAttr::get(&getContext(), option),
                        StringAttr::get(&getContext(), value)}));
    return success();
  }

  Attribute parseValue(ModuleLoader &loader, StringRef text) {
    // Parse `cfg { a.b = VALUE; }` with diagnostics silenced: a failure means "a string".
    ScopedDiagnosticHandler silence(&getContext(), [](Diagnostic &) { return success(); });
    std::string source = ("cfg { a.b = " + text + "; }").str();
    if (OwningOpRef<ModuleOp> parsed = loader.parseSource(source, "<--set>"))
      for (CfgEntryOp entry : parsed->getOps<CfgEntryOp>())
        return entry.getValue();
    StringRef unquoted = text;
    if (unquoted.size() >= 2 && unquoted.front() == '"' && unquoted.back() == '"')
      unquoted = unquoted.drop_front().drop_back();
    return StringAttr::get(&getContext(), unquoted);
  }

  /// The call path of `call`: its `path`, or the enclosing symbol's name plus the callee.
  static std::string callPath(CallOp call) {
    if (call.getPath())
      return call.getPath()->str();
    Operation *parent = call->getParentOp();
    while (parent && !isa<FlowOp, GlobalOp>(parent))
      parent = parent->getParentOp();
    StringRef ownerName =
        parent ? cast<SymbolOpInterface>(parent).getName() : StringRef("<module>");
    return (ownerName + "." + call.getCallee()).str();
  }

  /// The keys that name a parameter of a call as users write them (for "did you mean"): the
  /// call path's tails without `#k`, then the parameter: `pr.tolerance`, `main.pr.tolerance`.
  std::vector<std::string> keysOf(ArrayRef<CallOp> calls, SymbolTable &symbols) {
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (CallOp call : calls) {
      std::optional<CalleeSignature> sig = getCalleeSignature(symbols.lookup(call.getCallee()));
      if (!sig)
        continue;
      std::string path = callPath(call);
      SmallVector<StringRef> parts;
      StringRef(path).split(parts, '.');
      for (size_t first = parts.size(); first-- > 0;) {
        std::string prefix;
        for (size_t k = first; k < parts.size(); ++k)
          prefix += parts[k].split('#').first.str() + ".";
        for (Attribute p : sig->params)
          if (std::string key = prefix + cast<ParamAttr>(p).getName().getValue().str();
              seen.insert(key).second)
            keys.push_back(key);
      }
    }
    return keys;
  }

  LogicalResult materialize(CallOp call, SymbolTable &symbols,
                            SmallVectorImpl<Override> &overrides, ConstantCache &constants) {
    std::optional<CalleeSignature> sig = getCalleeSignature(symbols.lookup(call.getCallee()));
    if (!sig)
      return call.emitError("unknown task or flow '") << call.getCallee() << "'";
    std::string path = callPath(call);
    SmallVector<StringRef> pathParts;
    StringRef(path).split(pathParts, '.');
    OpBuilder builder(call);
    SmallVector<Value> args;
    SmallVector<Attribute> names, origins;
    for (Attribute p : sig->params) {
      auto param = cast<ParamAttr>(p);
      StringRef name = param.getName().getValue();
      Value value = call.getArg(name);
      StringRef origin = "text";
      if (call.getArgOrigins())
        for (auto [n, o] : llvm::zip(call.getArgNames(), call.getArgOriginsAttr()))
          if (cast<StringAttr>(n).getValue() == name)
            origin = cast<StringAttr>(o).getValue();
      // The most specific matching cfg entry wins; any --set beats every cfg entry.
      Override *best = nullptr;
      for (Override &o : overrides) {
        if (o.param != name || !pathMatches(o.path, pathParts))
          continue;
        o.used = true;
        if (!best || (o.origin == "set" && best->origin == "cfg") ||
            (o.origin == best->origin && o.path.size() >= best->path.size()))
          best = &o;
      }
      if (best) {
        if (isModelType(param.getType()) ||
            isa<DataType, DeviceType, MetricsType>(param.getType()))
          return emitError(best->loc) << "'" << best->key << "' names a " << sig->kind
                                      << " input, which cannot be configured";
        Attribute coerced = coerceTo(best->value, param.getType(), builder);
        if (!coerced)
          return emitError(best->loc) << "'" << best->key << "' must be "
                                      << withArticle(param.getType());
        if (!param.admits(coerced))
          return emitError(best->loc) << "'" << best->key << "' is outside its domain "
                                      << param.describeDomain();
        value = materializeValue(builder, best->loc, param.getType(), coerced); // keeps the cfg location
        origin = best->origin;
      } else if (!value && param.getOptional()) {
        continue; // an optional parameter nobody gave stays absent
      } else if (!value) {
        if (param.isRequired())
          return call.emitError("missing required argument '")
                 << name << "' (" << getSourceTypeName(param.getType()) << ") of " << sig->kind
                 << " '" << call.getCallee() << "'";
        value = constants.get(call, param.getType(), param.getDefaultValue());
        origin = "default";
      }
      args.push_back(value);
      names.push_back(param.getName());
      origins.push_back(builder.getStringAttr(origin));
    }
    call->setOperands(args);
    call.setArgNamesAttr(builder.getArrayAttr(names));
    call.setArgOriginsAttr(builder.getArrayAttr(origins));
    call.setPathAttr(builder.getStringAttr(path));
    return success();
  }
};
} // namespace
