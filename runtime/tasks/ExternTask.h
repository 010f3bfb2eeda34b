// `extern task`s: run a user command as a pipe task (placeholders, JSON metrics, {out} files).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "tasks/TaskContext.h"

namespace mmlc::tasks {

/// Runs the command of an `extern task` declaration for one step (or reloads the committed one).
void runExternTask(TaskContext &ctx);

/// Reads an HLS project into an HLS-level model; set when the metaprogramming runtime is built
/// (extern tasks returning `hls` need it).
extern std::function<ModelStore::Hls(TaskContext &, const std::filesystem::path &)> importProject;

/// `text` as one single-quoted shell word.
std::string shellQuote(const std::string &text);

} // namespace mmlc::tasks
