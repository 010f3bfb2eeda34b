// Progress of `mmlc run` on standard output: a live status line on a terminal, plain lines otherwise.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace mmlc::tasks {

/// One line per step. On a terminal the line is redrawn as the step reports its status (epoch,
/// accuracy, percentage, ETA); elsewhere (a pipe, a file, `TERM=dumb`) status texts are appended
/// to the line as they come, so logs stay grep-able and tests can check them.
class ProgressDisplay {
public:
  /// `interactive`: force the terminal mode on or off (default: detect from standard output).
  explicit ProgressDisplay(std::ostream &out, int interactive = -1);

  void beginStep(long step, const std::string &path);
  /// The step's current state; `fraction` in [0, 1] gives a percentage and an ETA (< 0: unknown).
  void status(const std::string &text, double fraction = -1);
  /// Ends the line with `outcome` ("done (1.2 s)", "reused", "failed", ...).
  void endStep(const std::string &outcome);
  /// A line of its own (notes), never mixed into a step's line.
  void line(const std::string &text);

  bool interactive() const;

private:
  void redraw();

  std::ostream &out_;
  int forced_;
  bool inStep_ = false;
  std::string head_, last_;
  double fraction_ = -1;
  std::chrono::steady_clock::time_point started_;
};

/// "1:05" / "1:02:03": a duration for ETAs.
std::string formatDuration(double seconds);

} // namespace mmlc::tasks
