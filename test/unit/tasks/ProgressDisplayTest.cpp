// Tests of the progress line of `mmlc run`: plain appended text off a terminal, redraws with ETA on one.
#include "tasks/ProgressDisplay.h"

#include <gtest/gtest.h>

#include <sstream>

using mmlc::tasks::formatDuration;
using mmlc::tasks::ProgressDisplay;

TEST(ProgressDisplay, PlainModeAppendsStatusToOneLinePerStep) {
  std::ostringstream out;
  ProgressDisplay display(out, /*interactive=*/0);
  display.beginStep(3, "main.train");
  display.status("epoch 1 val_acc 0.500", 0.5);
  display.status("epoch 2 val_acc 0.600", 1.0);
  display.endStep("done (1.0 s)");
  display.line("x.mml:1:1: note: hello");
  EXPECT_EQ(out.str(), "[3] main.train ... epoch 1 val_acc 0.500 epoch 2 val_acc 0.600 done (1.0 s)\n"
                       "x.mml:1:1: note: hello\n");
}

TEST(ProgressDisplay, TerminalModeRedrawsTheLineWithPercentageAndEta) {
  std::ostringstream out;
  ProgressDisplay display(out, /*interactive=*/1);
  display.beginStep(0, "main.prune");
  display.status("[rate 0.500 acc 0.810 ok]", 0.25);
  display.endStep("done (2.0 s)");
  std::string text = out.str();
  EXPECT_NE(text.find("\r\033[K[0] main.prune ...  [rate 0.500 acc 0.810 ok]   25%  ETA "),
            std::string::npos)
      << text;
  // The final line keeps the last status and ends with the outcome, once.
  EXPECT_NE(text.find("\r\033[K[0] main.prune ... [rate 0.500 acc 0.810 ok] done (2.0 s)\n"),
            std::string::npos)
      << text;
}

TEST(ProgressDisplay, NotesInsideAStepDoNotBreakItsLine) {
  std::ostringstream out;
  ProgressDisplay display(out, /*interactive=*/0);
  display.beginStep(1, "main.search");
  display.line("note");
  display.endStep("done");
  EXPECT_EQ(out.str(), "[1] main.search ...\nnote\n[1] main.search ... done\n");
}

TEST(ProgressDisplay, DurationsAreMinutesOrHours) {
  EXPECT_EQ(formatDuration(0), "0:00");
  EXPECT_EQ(formatDuration(65.4), "1:05");
  EXPECT_EQ(formatDuration(3723), "1:02:03");
  EXPECT_EQ(formatDuration(-3), "0:00");
}
