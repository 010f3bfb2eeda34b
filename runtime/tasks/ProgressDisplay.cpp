// The progress line of `mmlc run`: redrawn in place on a terminal, appended to elsewhere.
#include "tasks/ProgressDisplay.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mmlc::tasks {

std::string formatDuration(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

ProgressDisplay::ProgressDisplay(std::ostream &out, int interactive)
    : out_(out), forced_(interactive) {}

bool ProgressDisplay::interactive() const {
  if (forced_ >= 0)
    return forced_ == 1;
  const char *term = std::getenv("TERM");
  // Checked each time: a worker process (--jobs) writes to a log file, not the terminal.
  return ::isatty(1) && term && std::strcmp(term, "dumb") != 0;
}

void ProgressDisplay::beginStep(long step, const std::string &path) {
  head_ = "[" + std::to_string(step) + "] " + path;
  last_.clear();
  fraction_ = -1;
  inStep_ = true;
  started_ = std::chrono::steady_clock::now();
  if (interactive())
    redraw();
  else
    out_ << head_ << " ..." << std::flush;
}

void ProgressDisplay::status(const std::string &text, double fraction) {
  if (!inStep_)
    return line(text);
  last_ = text;
  fraction_ = fraction;
  if (interactive())
    redraw();
  else
    out_ << " " << text << std::flush;
}

void ProgressDisplay::redraw() {
  std::string text = head_ + " ...";
  if (!last_.empty())
    text += "  " + last_;
  if (fraction_ > 0 && fraction_ <= 1) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    char percent[16];
    std::snprintf(percent, sizeof percent, "%3.0f%%", 100 * fraction_);
    text += std::string("  ") + percent + "  ETA " + formatDuration(elapsed * (1 - fraction_) / fraction_);
  }
  out_ << "\r\033[K" << text << std::flush;
}

void ProgressDisplay::endStep(const std::string &outcome) {
  if (!inStep_)
    return;
  inStep_ = false;
  if (interactive())
    out_ << "\r\033[K" << head_ << " ... " << (last_.empty() ? "" : last_ + " ") << outcome << "\n";
  else
    out_ << " " << outcome << "\n";
  out_.flush();
}

void ProgressDisplay::line(const std::string &text) {
  if (inStep_) {
    if (interactive())
      out_ << "\r\033[K" << text << "\n";
    else
      out_ << "\n" << text << "\n" << head_ << " ...";
    if (interactive())
      redraw();
  } else {
    out_ << text << "\n";
  }
  out_.flush();
}

} // namespace mmlc::tasks
