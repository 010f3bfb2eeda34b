// Model file writer/reader; LayerSpec fields map one-to-one onto JSON keys.
#include "nn/ModelFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "nn/Error.h"

namespace mmlc::nn {

using nlohmann::json;

// Version 1 files hold chains; version 2 adds "inputs" (graph networks), "padding", and "beta",
// "groups", "padBottom", "padRight" when they differ from their defaults. Version 3 adds the
// quantiser fields (Quant/BipolarQuant layers, quantised weight and bias types). Every newer key is
// written only when set, so older models are saved byte for byte as before.
static bool isQuantiser(const LayerSpec& s) { return s.kind == "Quant" || s.kind == "BipolarQuant"; }
static bool needsVersion3(const LayerSpec& s) {
  return isQuantiser(s) || !s.weightType.empty() || !s.biasType.empty();
}
static bool needsVersion2(const LayerSpec& s) {
  return !s.inputs.empty() || !s.padding.empty() || s.beta != 0.0f || s.groups != 1 || s.padBottom >= 0 ||
         s.padRight >= 0;
}

static json specToJson(const LayerSpec& s) {
  json j{{"kind", s.kind},         {"name", s.name},       {"units", s.units},     {"kernelH", s.kernelH},
              {"kernelW", s.kernelW},   {"strideH", s.strideH}, {"strideW", s.strideW}, {"padH", s.padH},
              {"padW", s.padW},         {"useBias", s.useBias}, {"alpha", s.alpha},     {"rate", s.rate},
              {"epsilon", s.epsilon},   {"momentum", s.momentum}, {"perm", s.perm},     {"dims", s.dims}};
  if (!s.inputs.empty()) j["inputs"] = s.inputs;
  if (!s.padding.empty()) j["padding"] = s.padding;
  if (isQuantiser(s)) {
    j["bits"] = s.bits;
    j["scale"] = s.scale;
    j["zeroPoint"] = s.zeroPoint;
    j["signed"] = s.isSigned;
    j["narrow"] = s.narrow;
    j["rounding"] = s.rounding;
  }
  if (!s.weightType.empty()) j["weightType"] = s.weightType;
  if (!s.biasType.empty()) j["biasType"] = s.biasType;
  if (s.beta != 0.0f) j["beta"] = s.beta;
  if (s.groups != 1) j["groups"] = s.groups;
  if (s.padBottom >= 0) j["padBottom"] = s.padBottom;
  if (s.padRight >= 0) j["padRight"] = s.padRight;
  return j;
}

static LayerSpec specFromJson(const json& j) {
  LayerSpec s;
  s.kind = j.at("kind").get<std::string>();
  s.name = j.at("name").get<std::string>();
  s.units = j.value("units", 0);
  s.kernelH = j.value("kernelH", 1);
  s.kernelW = j.value("kernelW", 1);
  s.strideH = j.value("strideH", 1);
  s.strideW = j.value("strideW", 1);
  s.padH = j.value("padH", 0);
  s.padW = j.value("padW", 0);
  s.useBias = j.value("useBias", true);
  s.alpha = j.value("alpha", 0.01f);
  s.rate = j.value("rate", 0.5f);
  s.epsilon = j.value("epsilon", 1e-5f);
  s.momentum = j.value("momentum", 0.9f);
  s.perm = j.value("perm", std::vector<int>{});
  s.dims = j.value("dims", std::vector<int>{});
  s.inputs = j.value("inputs", std::vector<std::string>{});
  s.padding = j.value("padding", std::string{});
  s.bits = j.value("bits", 0);
  s.scale = j.value("scale", 1.0f);
  s.zeroPoint = j.value("zeroPoint", 0.0f);
  s.isSigned = j.value("signed", true);
  s.narrow = j.value("narrow", false);
  s.rounding = j.value("rounding", std::string{});
  s.weightType = j.value("weightType", std::string{});
  s.biasType = j.value("biasType", std::string{});
  s.beta = j.value("beta", 0.0f);
  s.groups = j.value("groups", 1);
  s.padBottom = j.value("padBottom", -1);
  s.padRight = j.value("padRight", -1);
  return s;
}

void saveModel(Network& net, const std::string& path) {
  json j;
  j["format"] = "mmlc-nn";
  int version = 1;
  for (const LayerSpec& s : net.specs())
    version = std::max(version, needsVersion3(s) ? 3 : needsVersion2(s) ? 2 : 1);
  j["version"] = version;
  j["input"] = net.inputShape().dims;
  j["seed"] = net.seed();
  for (const LayerSpec& s : net.specs()) j["layers"].push_back(specToJson(s));
  j["parameters"] = json::array();
  for (Parameter* p : net.parameters())
    j["parameters"].push_back({{"name", p->name}, {"rows", p->value.rows()}, {"cols", p->value.cols()},
                               {"hasMask", p->hasMask()}});
  const std::string text = j.dump();
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot open for writing");
  out.write("MMLCNN01", 8);
  uint64_t len = text.size();
  unsigned char lenBytes[8];
  for (int i = 0; i < 8; ++i) lenBytes[i] = static_cast<unsigned char>(len >> (8 * i));
  out.write(reinterpret_cast<const char*>(lenBytes), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  // float32 in the host's byte order; every supported host (x86-64, AArch64) is little-endian.
  for (Parameter* p : net.parameters()) {
    out.write(reinterpret_cast<const char*>(p->value.data()), static_cast<std::streamsize>(p->value.size() * 4));
    if (p->hasMask())
      out.write(reinterpret_cast<const char*>(p->mask.data()), static_cast<std::streamsize>(p->mask.size() * 4));
  }
  if (!out) throw Error(path + ": write failed");
}

Network loadModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open model file");
  char magic[8];
  if (!in.read(magic, 8)) throw Error(path + ": file is truncated (no header)");
  if (std::memcmp(magic, "MMLCNN01", 8) != 0) throw Error(path + ": not an mmlc model file (bad magic)");
  unsigned char lenBytes[8];
  if (!in.read(reinterpret_cast<char*>(lenBytes), 8)) throw Error(path + ": file is truncated in the header");
  uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len |= uint64_t(lenBytes[i]) << (8 * i);
  if (len > (1u << 30)) throw Error(path + ": corrupt header (architecture length " + std::to_string(len) + ")");
  std::string text(len, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(len))) throw Error(path + ": file is truncated in the architecture");
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    throw Error(path + ": corrupt architecture JSON (" + e.what() + ")");
  }
  try {
    const int version = j.value("version", 1);
    if (version < 1 || version > 3)
      throw Error(path + ": model file version " + std::to_string(version) + " is not supported (1 to 3)");
    std::vector<LayerSpec> specs;
    for (const json& l : j.at("layers")) specs.push_back(specFromJson(l));
    if (version == 1)
      for (const LayerSpec& s : specs)
        if (needsVersion2(s)) throw Error(path + ": version 1 file has layer inputs or padding of version 2");
    Network net = Network::fromSpecs(Shape(j.at("input").get<std::vector<int>>()), j.value("seed", uint64_t{0}), specs);
    auto params = net.parameters();
    const json& pj = j.at("parameters");
    if (pj.size() != params.size())
      throw Error(path + ": file lists " + std::to_string(pj.size()) + " parameters but the architecture has " +
                  std::to_string(params.size()));
    for (size_t i = 0; i < params.size(); ++i) {
      Parameter& p = *params[i];
      if (pj[i].at("name") != p.name || pj[i].at("rows") != p.value.rows() || pj[i].at("cols") != p.value.cols())
        throw Error(path + ": parameter '" + pj[i].at("name").get<std::string>() + "' does not match the architecture");
      if (!in.read(reinterpret_cast<char*>(p.value.data()), static_cast<std::streamsize>(p.value.size() * 4)))
        throw Error(path + ": file is truncated in parameter '" + p.name + "'");
      if (pj[i].value("hasMask", false)) {
        p.mask.resize(p.value.rows(), p.value.cols());
        if (!in.read(reinterpret_cast<char*>(p.mask.data()), static_cast<std::streamsize>(p.mask.size() * 4)))
          throw Error(path + ": file is truncated in the mask of '" + p.name + "'");
      }
    }
    return net;
  } catch (const json::exception& e) {
    throw Error(path + ": architecture JSON is missing fields (" + e.what() + ")");
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.rfind(path, 0) == 0) throw;
    throw Error(path + ": " + msg);
  }
}

}  // namespace mmlc::nn
