// `extern task`s: run a user command as a pipe task (placeholders, JSON metrics, {out} files).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "tasks/TaskContext.h"

namespace mmlc::tasks {

/// Runs the command of an `extern task` declaration for one step (or reloads the committed one).
void runExternTask(TaskContext &ctx);

/// Reads the HLS project in `dir` into an HLS-level model (MetaTasks.cpp; a located error when
/// the metaprogramming runtime is not built). Extern tasks returning `hls` need it.
ModelStore::Hls importHlsProject(TaskContext &ctx, const std::filesystem::path &dir);

} // namespace mmlc::tasks
