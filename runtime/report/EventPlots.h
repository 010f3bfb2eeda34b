// Plots and tables of the events one step logged: every numeric member becomes a series.
#pragma once

#include <string>
#include <vector>

#include "report/HtmlDocument.h"
#include "report/RunLog.h"
#include "report/SvgPlot.h"

namespace mmlc::report {

/// What a plot of an event kind is called ("Auto-pruning" for prune_step, "Training" for
/// epoch, ...; the kind itself otherwise).
std::string eventKindTitle(const std::string &kind);

/// The plots of the events of one kind that one step logged (docs/reports.md):
///  * x is the first of the members `step`, `epoch`, `iteration`, `evaluation` that every
///    event has as a number, else the event's position (1, 2, ...);
///  * every other numeric member (not `time`) is a series against x: members whose values all
///    lie in [0, 1] (rates, accuracies) in a "progress" plot, the others in a
///    "progress-magnitude" plot (log scale when all are positive and span more than two
///    decades);
///  * with an `accuracy` member, a "tradeoff" scatter of accuracy against each other series
///    but `baseline` (at most four), drawn as a dashed reference line; points are split into
///    feasible and infeasible series when the events have a boolean `feasible`;
///  * events with `feasible: false` have hollow markers in every plot.
/// Svg elements carry data-event (the kind), data-plot and, for trade-offs, data-x.
std::vector<XyPlot> eventPlots(const std::string &kind, const std::vector<const LogEvent *> &events);

/// The events as a table: one row per event, one column per member (`event`, `time` and `path`
/// left out), values as numbers or JSON text.
Table eventTable(const std::vector<const LogEvent *> &events);

} // namespace mmlc::report
