// Signal handling for a clean stop of `mmlc run` (Ctrl-C, kill): a flag polled at safe points.
#include "flow/Interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace mmlc::flow {

namespace {
std::atomic<bool> stopRequested{false};

extern "C" void onStopSignal(int signal) {
  if (stopRequested.exchange(true) && signal == SIGINT) {
    ::signal(SIGINT, SIG_DFL);
    ::raise(SIGINT); // a second Ctrl-C: stop at once
    return;
  }
  static const char message[] =
      "\nmmlc: stopping; the current step is abandoned, finished ones are kept (Ctrl-C again: stop at once)\n";
  ssize_t ignored = ::write(2, message, sizeof message - 1);
  (void)ignored;
}
} // namespace

void installInterruptHandler() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART: waits return EINTR and notice the request
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool interruptRequested() { return stopRequested.load(); }

void checkInterrupt(const SourceLoc &loc) {
  if (interruptRequested())
    throw Interrupted(loc);
}

} // namespace mmlc::flow
