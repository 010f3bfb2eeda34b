// Helpers shared by the built-in tasks: typed arguments, format conversion, accuracy, model files.
#include "tasks/TaskContext.h"

#include <iomanip>
#include <sstream>

#include <unistd.h>

#include "hls/HlsProjectEmitter.h"
#include "nn/Loss.h"
#include "nn/Metrics.h"
#include "tasks/HlsEvaluation.h"
#include "nn/ModelFile.h"
#include "nn/Network.h"
#include "nn/Trainer.h"

namespace mmlc::tasks {
using flow::RuntimeError;
using flow::Value;

const Value &TaskArgs::get(const std::string &name) const {
  for (auto &[n, v] : args)
    if (n == name)
      return v;
  throw RuntimeError(call.loc, "missing argument '" + name + "'");
}

bool TaskArgs::has(const std::string &name) const {
  for (auto &[n, v] : args)
    if (n == name && !std::holds_alternative<std::monostate>(v))
      return true;
  return false;
}

std::int64_t TaskArgs::i(const std::string &n) const { return std::get<std::int64_t>(get(n)); }
double TaskArgs::f(const std::string &n) const { return std::get<double>(get(n)); }
bool TaskArgs::b(const std::string &n) const { return std::get<bool>(get(n)); }
const std::string &TaskArgs::s(const std::string &n) const { return std::get<std::string>(get(n)); }
const flow::Handle &TaskArgs::h(const std::string &n) const { return std::get<flow::Handle>(get(n)); }
const flow::FixedFormat &TaskArgs::fixed(const std::string &n) const {
  return std::get<flow::FixedFormat>(get(n));
}
std::vector<std::int64_t> TaskArgs::ints(const std::string &n) const {
  std::vector<std::int64_t> out;
  for (const flow::Scalar &s : std::get<flow::ScalarList>(get(n)))
    out.push_back(std::get<std::int64_t>(s));
  return out;
}

void TaskContext::log(const std::string &event, std::map<std::string, std::string> fields) const {
  fields["path"] = flow::jsonString(call.path);
  meta.log(event, fields);
}

hls::FixedType toFixedType(const flow::FixedFormat &f) {
  hls::QuantMode q = f.quantization == "RND"           ? hls::QuantMode::RND
                     : f.quantization == "TRN_ZERO"    ? hls::QuantMode::TRN_ZERO
                     : f.quantization == "RND_ZERO"    ? hls::QuantMode::RND_ZERO
                     : f.quantization == "RND_INF"     ? hls::QuantMode::RND_INF
                     : f.quantization == "RND_MIN_INF" ? hls::QuantMode::RND_MIN_INF
                     : f.quantization == "RND_CONV"    ? hls::QuantMode::RND_CONV
                                                       : hls::QuantMode::TRN;
  hls::OverflowMode o = f.overflow == "SAT"        ? hls::OverflowMode::SAT
                        : f.overflow == "SAT_ZERO" ? hls::OverflowMode::SAT_ZERO
                        : f.overflow == "SAT_SYM"  ? hls::OverflowMode::SAT_SYM
                                                   : hls::OverflowMode::WRAP;
  return f.isSigned ? hls::FixedType::fixed(f.width, f.integerBits, q, o)
                    : hls::FixedType::ufixed(f.width, f.integerBits, q, o);
}

nn::LossKind lossFor(nn::Network &net) {
  const std::string last = net.size() ? net.layer(net.size() - 1).spec().kind : "";
  if (net.outputShape().size() == 1) // one output: a binary classifier (a sigmoid or a logit)
    return last == "Sigmoid" ? nn::LossKind::BinaryCrossEntropy : nn::LossKind::BinaryCrossEntropyFromLogits;
  return last == "Softmax" ? nn::LossKind::CrossEntropy : nn::LossKind::CrossEntropyFromLogits;
}

nn::Matrix trainingTargets(const nn::Dataset &d, int outputs) {
  if (d.labels.empty() || d.numClasses == outputs)
    return d.targetMatrix();
  if (outputs == 1) { // 0/1 labels for one output
    nn::Matrix y(d.size(), 1);
    for (long s = 0; s < d.size(); ++s) {
      const int l = d.labels[static_cast<size_t>(s)];
      if (l > 1)
        throw std::invalid_argument("the model has one output, which learns 0/1 labels, but the data set has label " +
                                    std::to_string(l));
      y(s, 0) = static_cast<float>(l);
    }
    return y;
  }
  for (int l : d.labels)
    if (l >= outputs)
      throw std::invalid_argument("the data set has label " + std::to_string(l) + " but the model has " +
                                  std::to_string(outputs) + " outputs");
  return nn::oneHot(d.labels, outputs); // a class missing from the data is still one of the outputs
}

NetworkScore scoreNetwork(nn::Network &net, const nn::Dataset &d) {
  NetworkScore r;
  const int outputs = static_cast<int>(net.outputShape().size());
  const bool sigmoidOut = net.size() && net.layer(net.size() - 1).spec().kind == "Sigmoid";
  r.scoring = scoringFor(outputs, sigmoidOut, d);
  if (r.scoring.rule == hls::OutputScoring::Rule::Argmax) {
    // One-hot targets as wide as the outputs (a class absent from the data is still a class).
    const nn::Matrix targets = nn::oneHot(d.labels, outputs);
    auto [loss, accuracy] = nn::Trainer::evaluate(net, d.x, targets, lossFor(net));
    r.accuracy = accuracy;
    r.loss = loss;
    r.balanced = nn::balancedAccuracy(net.predict(d.x), targets);
    return r;
  }
  const nn::Matrix out = net.predict(d.x);
  const std::vector<double> rows(out.data(), out.data() + out.size());
  size_t correct = 0;
  for (long s = 0; s < out.rows(); ++s)
    correct += r.scoring.correct(&rows[static_cast<size_t>(s * outputs)], outputs, static_cast<size_t>(s),
                                 d.labels.data());
  r.accuracy = out.rows() ? static_cast<double>(correct) / static_cast<double>(out.rows()) : 0.0;
  if (r.scoring.rule == hls::OutputScoring::Rule::Threshold) {
    nn::Matrix y(d.size(), 1);
    for (long s = 0; s < d.size(); ++s)
      y(s, 0) = static_cast<float>(d.labels[static_cast<size_t>(s)]);
    r.loss = nn::computeLoss(sigmoidOut ? nn::LossKind::BinaryCrossEntropy
                                        : nn::LossKind::BinaryCrossEntropyFromLogits,
                             out, y, nullptr);
    double recall = 0;
    int present = 0;
    for (int c = 0; c < 2; ++c) {
      size_t total = 0, hit = 0;
      for (long s = 0; s < out.rows(); ++s)
        if (d.labels[static_cast<size_t>(s)] == c) {
          ++total;
          hit += ((out(s, 0) > r.scoring.threshold) ? 1 : 0) == c;
        }
      if (total) {
        recall += static_cast<double>(hit) / static_cast<double>(total);
        ++present;
      }
    }
    r.balanced = present ? recall / present : 0.0;
  } else {
    r.loss = nn::computeLoss(nn::LossKind::MeanSquaredError, out, d.targets, nullptr);
  }
  return r;
}

double selectionAccuracy(nn::Network &net, const nn::DatasetSplit &split) {
  const nn::Dataset &d = split.validation.size() > 0 ? split.validation : split.test;
  return scoreNetwork(net, d).accuracy;
}

std::pair<double, double> testAccuracyAndLoss(nn::Network &net, const nn::DatasetSplit &split) {
  const NetworkScore s = scoreNetwork(net, split.test);
  return {s.accuracy, s.loss};
}

std::map<std::string, double> synthMetricsRecord(const hls::SynthMetrics &m) {
  std::map<std::string, double> r = {{"dsp", m.dsp},
          {"lut", m.lut},
          {"ff", m.ff},
          {"bram", m.bram18},
          {"latency", static_cast<double>(m.latencyMax)},
          {"latency_ns", static_cast<double>(m.latencyMax) * m.targetClockNs},
          {"ii", static_cast<double>(m.intervalMax)},
          {"clock_ns", m.targetClockNs},
          {"estimated", m.estimated ? 1.0 : 0.0}};
  // Capacity: whether the design fits its part and how full each resource is (the flows'
  // searches and the reports flag an over-capacity design with these).
  if (m.availDsp > 0 || m.availLut > 0) {
    r["fits"] = m.fits() ? 1.0 : 0.0;
    auto util = [&](const char* name, double used, long avail) {
      if (avail > 0) r[name] = used / static_cast<double>(avail);
    };
    util("dsp_util", m.dsp, m.availDsp);
    util("lut_util", m.lut, m.availLut);
    util("ff_util", m.ff, m.availFf);
    util("bram_util", m.bram18, m.availBram18);
  }
  // An estimate carries its uncertainty band (validation residual quantiles).
  if (m.estimated && (m.dspHi > 0 || m.lutHi > 0)) {
    r["dsp_lo"] = m.dspLo;
    r["dsp_hi"] = m.dspHi;
    r["lut_lo"] = m.lutLo;
    r["lut_hi"] = m.lutHi;
    r["ff_lo"] = m.ffLo;
    r["ff_hi"] = m.ffHi;
    r["bram_lo"] = m.bram18Lo;
    r["bram_hi"] = m.bram18Hi;
    r["latency_lo"] = m.latencyLo;
    r["latency_hi"] = m.latencyHi;
  }
  return r;
}

hls::SynthMetrics synthMetricsFromRecord(const std::map<std::string, double> &record) {
  auto value = [&](const char *name) {
    auto it = record.find(name);
    return it == record.end() ? 0.0 : it->second;
  };
  hls::SynthMetrics m;
  m.dsp = value("dsp");
  m.lut = value("lut");
  m.ff = value("ff");
  m.bram18 = value("bram");
  m.latencyMax = static_cast<long>(value("latency"));
  m.intervalMax = static_cast<long>(value("ii"));
  m.targetClockNs = value("clock_ns");
  m.estimated = value("estimated") != 0;
  return m;
}

const std::string &projectDir(ModelStore::Hls &model) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!model.filesOnDemand || fs::is_directory(fs::path(model.dir) / "firmware", ec))
    return model.dir;
  fs::path tmp = model.dir + ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp);
  hls::HlsProjectEmitter(model.desc).emit(tmp.string());
  fs::rename(tmp, model.dir, ec);
  if (ec) { // another process wrote the same files first (identical by construction)
    fs::remove_all(tmp);
    if (!fs::is_directory(fs::path(model.dir) / "firmware"))
      throw std::runtime_error("cannot write the project " + model.dir + ": " + ec.message());
  }
  return model.dir;
}

void saveDnn(const TaskContext &ctx, const nn::Network &net) {
  nn::saveModel(const_cast<nn::Network &>(net), (ctx.staging / "model.mmlc").string());
}

std::shared_ptr<nn::Network> loadCommittedDnn(const TaskContext &ctx) {
  return std::make_shared<nn::Network>(nn::loadModel((ctx.modelDir() / "model.mmlc").string()));
}

} // namespace mmlc::tasks
