// `mmlc estimator predict|calibrate`: per-layer estimates from a CSV, and refitting the cost
// model from real reports. The driver only forwards its arguments here.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mmlc::estimator {

std::string estimatorCommandUsage();
// args: everything after "mmlc estimator". Returns the process exit code; errors go to err.
int runEstimatorCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// predict: rows of IN (columns kind, n_in, n_out, seq_len, kernel, reuse, strategy, io, precision,
// part, clock_ns, tool) with dsp, lut, ff, bram18, latency and ii appended. Throws
// std::runtime_error "IN:LINE: ..." for a row it cannot estimate.
std::string predictCsv(const std::string& csvText, const std::string& source);
}  // namespace mmlc::estimator
namespace mmlc::hls {
struct Calibration;
}
namespace mmlc::estimator {
std::string predictCsv(const std::string& csvText, const std::string& source, const hls::Calibration& cal);

}  // namespace mmlc::estimator
