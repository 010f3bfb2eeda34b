// OpenML download via the `curl` executable (no libcurl dependency); atomic rename into the cache.
#include "nn/OpenmlLoader.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nn/ArffReader.h"
#include "nn/Error.h"

namespace mmlc::nn {

namespace fs = std::filesystem;

long parseOpenmlSpec(const std::string& spec) {
  std::string digits = spec.rfind("openml:", 0) == 0 ? spec.substr(7) : spec;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 12)
    throw Error("'" + spec + "' is not an OpenML spec (expected openml:<numeric id>)");
  return std::stol(digits);
}

static void download(const std::string& url, const fs::path& dest) {
  const fs::path tmp = dest.string() + ".part";
  // The URL is built from a validated number only, so no shell metacharacters can reach the command.
  const std::string cmd = "curl -fsSL --retry 3 -o '" + tmp.string() + "' '" + url + "'";
  if (std::system(cmd.c_str()) != 0) {
    fs::remove(tmp);
    throw Error("downloading " + url + " failed (is curl installed and the network reachable?)");
  }
  fs::rename(tmp, dest);
}

Dataset loadOpenml(const std::string& spec, const std::string& cacheDir) {
  const long id = parseOpenmlSpec(spec);
  const fs::path dir(cacheDir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(cacheDir + ": cannot create the OpenML cache directory (" + ec.message() + ")");
  const fs::path descPath = dir / ("openml-" + std::to_string(id) + ".json");
  const fs::path arffPath = dir / ("openml-" + std::to_string(id) + ".arff");
  if (!fs::exists(descPath)) download("https://www.openml.org/api/v1/json/data/" + std::to_string(id), descPath);
  nlohmann::json desc;
  {
    std::ifstream in(descPath);
    try {
      desc = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      throw Error(descPath.string() + ": corrupt OpenML description (" + e.what() + ")");
    }
  }
  const auto& d = desc.contains("data_set_description") ? desc["data_set_description"] : desc;
  if (!fs::exists(arffPath)) {
    if (!d.contains("file_id")) throw Error(descPath.string() + ": OpenML description has no file_id");
    const std::string fileId = d["file_id"].is_string() ? d["file_id"].get<std::string>()
                                                        : std::to_string(d["file_id"].get<long>());
    parseOpenmlSpec(fileId);  // validates it is numeric before it reaches a command line
    download("https://www.openml.org/data/v1/download/" + fileId, arffPath);
  }
  std::string target;
  if (d.contains("default_target_attribute") && d["default_target_attribute"].is_string())
    target = d["default_target_attribute"].get<std::string>();
  return loadArff(arffPath.string(), target);
}

}  // namespace mmlc::nn
