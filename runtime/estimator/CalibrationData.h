// Rows for fitting and validating the per-layer cost model: hls4ml projects with their
// per-function C-synthesis reports, and N-TORC's per-layer CSVs.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "hls/LayerModel.h"
#include "hls/NetworkDesc.h"

namespace mmlc::estimator {

// One real design: its network, the per-layer rows of the layers that have a report, the
// top-level report and what the top adds around its layers.
struct DesignData {
  std::string name;           // folder name
  hls::NetworkDesc net;       // part and clock from hls4ml_config.yml
  hls::ToolGen tool = hls::ToolGen::VivadoHls;
  std::string toolVersion;    // e.g. "2019.2"
  std::vector<int> rowOfLayer;  // per net layer: index into rows, or -1 (inlined / no report)
  std::vector<hls::CostRow> rows;
  std::array<double, hls::kMetrics> top{};
  hls::GlueRow glue;          // top minus the sum of the layer reports
};

// Reads DIR (an hls4ml project with reports/): the project through mmlc::meta, every
// per-function report mapped to its layer by config number (hls4ml names functions after the
// template and its config struct) or, for Vivado HLS's numbered copies without one, by the
// function's port counts (n_in data inputs, n_out returns). Throws naming the file on a report
// that matches no layer or two reports for one layer... (the outermost, largest, is kept).
DesignData readDesign(const std::string& dir);

// Whether a directory holds an hls4ml project with C-synthesis reports.
bool isDesignWithReports(const std::string& dir);

// The glue features of a network (register bits, inlined layers, registered calls) given
// which layers have a latency > 0.
hls::GlueQuery glueOf(const hls::NetworkDesc& net, hls::ToolGen tool, const std::vector<double>& layerLatency);

// N-TORC's CSVs in DIR (dense and conv1d; resources and latency files): Vivado HLS 2019.1,
// xczu7ev, 4 ns, io_stream, ap_fixed<16,8>, latency strategy at RF 1 and resource otherwise.
// group = the configuration (kind, n_in, n_out, seq_len, RF). Throws with file:line on bad rows.
std::vector<hls::CostRow> readNtorc(const std::string& dir);

// The hold-out fold (0..folds-1) of a group: FNV-1a of its name, the same on every platform, so
// the bench and the tests hold out the same configurations.
int holdOutFold(const std::string& group, int folds);
// The structure of an N-TORC row: its configuration without the sequence length (kind, n_in,
// n_out, RF): holding out by structure leaves no sibling of another length in the training set.
std::string structureOf(const hls::CostRow& row);

}  // namespace mmlc::estimator
