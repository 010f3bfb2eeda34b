// The `mml` types (generated parts) and the metrics each level of model carries.
#include "mml/Dialect/MML/MMLTypes.h"
#include "mml/Dialect/MML/MMLDialect.h"
#include "mml/Support/MetricTable.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringMap.h"
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
  // The names come from the one metric table (mml/Support/MetricTable.h) that the runtime's
  // producers, the reports and `mmlc metrics` read too.
  if (!isa<DnnType, HlsType, RtlType, MetricsType, DataType, DeviceType>(type))
    return {};
  static const llvm::StringMap<std::vector<StringRef>> byLevel = [] {
    llvm::StringMap<std::vector<StringRef>> m;
    for (const MetricLevel *l = metricLevelsBegin(); l != metricLevelsEnd(); ++l)
      for (const MetricInfo &info : *l)
        m[StringRef(l->level.data(), l->level.size())].push_back(
            StringRef(info.name.data(), info.name.size()));
    return m;
  }();
  auto it = byLevel.find(getSourceTypeName(type));
  return it == byLevel.end() ? ArrayRef<StringRef>() : ArrayRef<StringRef>(it->second);
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
