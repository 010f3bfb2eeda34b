// The `mml` types (generated parts) and the metrics each level of model carries.
#include "mml/Dialect/MML/MMLTypes.h"
#include "mml/Dialect/MML/MMLDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mml;

#define GET_TYPEDEF_CLASSES
#include "mml/Dialect/MML/MMLTypes.cpp.inc"

void MMLDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "mml/Dialect/MML/MMLTypes.cpp.inc"
      >();
}

bool mml::isModelType(Type type) { return isa<DnnType, HlsType, RtlType>(type); }

ArrayRef<StringRef> mml::getMetricNames(Type type) {
  // Keep in step with docs/language.md ("Metrics") and the runtime's metric producers.
  static const StringRef dnn[] = {"accuracy", "loss", "sparsity", "params", "nonzero", "macs",
                                  "balanced_accuracy"};
  static const StringRef hls[] = {"accuracy", "csim_accuracy", "dsp", "lut", "ff", "bram",
                                  "latency", "latency_ns", "ii", "sparsity", "params", "nonzero"};
  static const StringRef rtl[] = {"accuracy", "csim_accuracy", "dsp", "lut", "ff", "bram",
                                  "latency", "latency_ns", "ii", "sparsity", "params", "nonzero",
                                  "estimated"};
  static const StringRef metrics[] = {
      "accuracy", "loss", "sparsity", "params", "nonzero", "macs", "balanced_accuracy",
      "csim_accuracy", "dsp", "lut", "ff", "bram", "latency", "latency_ns", "ii", "estimated"};
  static const StringRef data[] = {"samples", "features", "classes"};
  static const StringRef device[] = {"dsp", "lut", "ff", "bram", "clock_ns"};
  return TypeSwitch<Type, ArrayRef<StringRef>>(type)
      .Case([](DnnType) { return ArrayRef<StringRef>(dnn); })
      .Case([](HlsType) { return ArrayRef<StringRef>(hls); })
      .Case([](RtlType) { return ArrayRef<StringRef>(rtl); })
      .Case([](MetricsType) { return ArrayRef<StringRef>(metrics); })
      .Case([](DataType) { return ArrayRef<StringRef>(data); })
      .Case([](DeviceType) { return ArrayRef<StringRef>(device); })
      .Default([](Type) { return ArrayRef<StringRef>(); });
}

std::string mml::getSourceTypeName(Type type) {
  return TypeSwitch<Type, std::string>(type)
      .Case([](DnnType) { return "dnn"; })
      .Case([](HlsType) { return "hls"; })
      .Case([](RtlType) { return "rtl"; })
      .Case([](DataType) { return "data"; })
      .Case([](DeviceType) { return "device"; })
      .Case([](MetricsType) { return "metrics"; })
      .Case([](StringType) { return "string"; })
      .Case([](FixedType) { return "fixed"; })
      .Case([](ListType list) { return getSourceTypeName(list.getElementType()) + "[]"; })
      .Case([](FloatType) { return "float"; })
      .Case([](IntegerType it) { return it.getWidth() == 1 ? "bool" : "int"; })
      .Case([](NoneType) { return "nothing"; })
      .Default([](Type t) {
        std::string s;
        llvm::raw_string_ostream os(s);
        os << t;
        return s;
      });
}

std::string mml::withArticle(Type type) {
  std::string name = getSourceTypeName(type);
  // Spoken as letters, hls and rtl start with a vowel sound; dnn does not.
  bool an = !name.empty() && (llvm::StringRef("aeiou").contains(name[0]) ||
                              llvm::StringRef(name).starts_with("hls") ||
                              llvm::StringRef(name).starts_with("rtl"));
  return (an ? "an " : "a ") + name;
}
