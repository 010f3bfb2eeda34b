// OpenML data sets by id ("openml:42468"), downloaded once with curl and cached as ARFF + description.
#pragma once
#include <string>

#include "nn/Dataset.h"

namespace mmlc::nn {

// Cache layout: <cacheDir>/openml-<id>.arff and <cacheDir>/openml-<id>.json (OpenML's data
// description, whose default_target_attribute picks the label). Files already in the cache are
// used without any network access, so tests and offline runs only need the cache populated; with an
// explicit `target` the description is not needed at all once the ARFF is cached. Downloads go to
// https://www.openml.org unless $MMLC_OPENML_URL names another server (a mirror).
// Throws Error for a malformed spec, a failed download (naming the URL and the cache file to fill
// by hand), or a bad cached file.
Dataset loadOpenml(const std::string& spec, const std::string& cacheDir, const std::string& target = "");
// Parses "openml:<id>" (or just "<id>") to the numeric id.
long parseOpenmlSpec(const std::string& spec);

}  // namespace mmlc::nn
