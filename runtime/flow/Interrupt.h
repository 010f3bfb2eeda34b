// Ctrl-C for `mmlc run`: the first SIGINT/SIGTERM asks the run to stop at the next safe point.
#pragma once

#include <string>

#include "flow/Interpreter.h"

namespace mmlc::flow {

/// Installs SIGINT and SIGTERM handlers: the first signal sets the stop request (and says so on
/// standard error); a second SIGINT ends the process at once.
void installInterruptHandler();
/// True once a stop was requested.
bool interruptRequested();
/// Throws Interrupted if a stop was requested. Tasks call it between epochs, candidates, ...
void checkInterrupt(const SourceLoc &loc);

/// The run stopped on request; nothing half-done was committed.
class Interrupted : public RuntimeError {
public:
  explicit Interrupted(SourceLoc loc) : RuntimeError(std::move(loc), "interrupted") {}
};

} // namespace mmlc::flow
