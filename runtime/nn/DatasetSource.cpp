// Data set spec parsing and dispatch to the individual readers.
#include "nn/DatasetSource.h"

#include "nn/ArffReader.h"
#include "nn/CsvReader.h"
#include "nn/Error.h"
#include "nn/IdxReader.h"
#include "nn/NpyReader.h"
#include "nn/OpenmlLoader.h"

namespace mmlc::nn {

namespace {
// Splits "a<sep>b" at the last separator; `b` is empty when there is none.
std::pair<std::string, std::string> splitLast(const std::string& s, char sep) {
  const size_t at = s.rfind(sep);
  if (at == std::string::npos) return {s, ""};
  return {s.substr(0, at), s.substr(at + 1)};
}
}  // namespace

Dataset loadDatasetSpec(const std::string& spec, const std::string& cacheDir, const std::string& fmnistDir) {
  const size_t colon = spec.find(':');
  const std::string scheme = colon == std::string::npos ? spec : spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  auto bad = [&](const std::string& why) { return Error("data set spec '" + spec + "': " + why); };
  if (scheme == "openml") return loadOpenml(spec, cacheDir);
  if (scheme == "fashion-mnist") {
    const std::string part = rest.empty() ? "train" : rest;
    if (part != "train" && part != "test") throw bad("expected fashion-mnist:train or fashion-mnist:test");
    const std::string prefix = fmnistDir + (part == "train" ? "/train" : "/t10k");
    Dataset d = loadIdxDataset(prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz");
    d.numClasses = 10;
    d.classNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    return d;
  }
  if (scheme == "idx" || scheme == "npy") {
    auto [a, b] = splitLast(rest, ',');
    if (a.empty() || b.empty()) throw bad("expected " + scheme + ":<features>,<labels>");
    return scheme == "idx" ? loadIdxDataset(a, b) : loadNpyDataset(a, b);
  }
  if (scheme == "csv") {
    auto [path, label] = splitLast(rest, '#');
    if (path.empty() || label.empty()) throw bad("expected csv:<path>#<label column>");
    return loadCsv(path, {label});
  }
  if (scheme == "arff") {
    auto [path, target] = splitLast(rest, '#');
    if (path.empty()) throw bad("expected arff:<path>[#<target>]");
    return loadArff(path, target);
  }
  throw bad("unknown scheme '" + scheme + "' (openml, fashion-mnist, idx, csv, npy, arff)");
}

}  // namespace mmlc::nn
