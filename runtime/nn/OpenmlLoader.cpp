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

// The server downloads go to: https://www.openml.org, or $MMLC_OPENML_URL (a mirror; tests point
// it at an unreachable address to check the offline error).
static std::string openmlServer() {
  const char* env = std::getenv("MMLC_OPENML_URL");
  std::string url = env && *env ? env : "https://www.openml.org";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

static void download(const std::string& url, const fs::path& dest) {
  if (url.find('\'') != std::string::npos) throw Error("refusing to download '" + url + "': the URL contains a quote");
  const fs::path tmp = dest.string() + ".part";
  // Ids are validated numbers and the server URL has no quote, so nothing can escape the quoting.
  const std::string cmd =
      "curl -fsSL --connect-timeout 30 --retry 2 -o '" + tmp.string() + "' '" + url + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) {
    fs::remove(tmp);
    throw Error("downloading " + url + " into " + dest.string() +
                " failed (no network, or curl missing?); to work offline, put that file into the cache directory " +
                dest.parent_path().string() + " by hand");
  }
  fs::rename(tmp, dest);
}

Dataset loadOpenml(const std::string& spec, const std::string& cacheDir, const std::string& targetIn) {
  const long id = parseOpenmlSpec(spec);
  const fs::path dir(cacheDir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(cacheDir + ": cannot create the OpenML cache directory (" + ec.message() + ")");
  const fs::path descPath = dir / ("openml-" + std::to_string(id) + ".json");
  const fs::path arffPath = dir / ("openml-" + std::to_string(id) + ".arff");
  std::string target = targetIn;
  // The description is needed for the file id (download) and the default target.
  if (!fs::exists(arffPath) || target.empty()) {
    if (!fs::exists(descPath)) download(openmlServer() + "/api/v1/json/data/" + std::to_string(id), descPath);
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
      download(openmlServer() + "/data/v1/download/" + fileId, arffPath);
    }
    if (target.empty() && d.contains("default_target_attribute") && d["default_target_attribute"].is_string())
      target = d["default_target_attribute"].get<std::string>();
  }
  return loadArff(arffPath.string(), target);
}

}  // namespace mmlc::nn
