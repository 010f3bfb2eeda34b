// QUANTIZATION (docs/tasks.md): per-layer fixed-point search on the bit-exact simulator, the
// chosen precisions instrumented into the HLS C++ by the metaprogramming passes (runtime/meta)
// and confirmed by C simulation.
#include "tasks/TaskContext.h"

#include <chrono>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hls/LayerKinds.h"
#include "hls/NetworkSim.h"
#include "hls/DesignEstimate.h"
#include "tasks/HlsEvaluation.h"
#include "tasks/PrecisionSearch.h"
#ifdef MMLC_HAVE_META
#include "meta/HlsRewriter.h"
#endif

namespace mmlc::tasks {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

QuantizeOptions optionsOf(const TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  QuantizeOptions o;
  o.tolerance = a.f("tolerance");
  o.minWidth = static_cast<int>(a.i("min_width"));
  o.maxWidth = static_cast<int>(a.i("max_width"));
  if (o.minWidth > o.maxWidth)
    throw ctx.error("quantize: min_width (" + std::to_string(o.minWidth) +
                    ") is greater than max_width (" + std::to_string(o.maxWidth) +
                    "); the search tries widths from min_width up to max_width");
  o.perLayer = a.s("granularity") == "layer";
  const std::string &q = a.s("rounding");
  o.rounding = q == "RND"        ? hls::QuantMode::RND
               : q == "RND_CONV" ? hls::QuantMode::RND_CONV
                                 : hls::QuantMode::TRN;
  // Weights and biases are rounded once, when the headers are written: rounding them to nearest
  // costs no hardware, while truncating them biases every product (and needs wider types).
  o.constantRounding = o.rounding == hls::QuantMode::TRN ? hls::QuantMode::RND : o.rounding;
  o.overflow = a.s("overflow") == "SAT" ? hls::OverflowMode::SAT : hls::OverflowMode::WRAP;
  return o;
}

#ifdef MMLC_HAVE_META
/// The search measures the accuracy on at most this many selection samples (the first ones).
constexpr size_t kSearchSamples = 20000;
/// The C simulation confirming the result runs on at most this many test samples.
constexpr size_t kCSimSamples = 2000;
/// Extra integer bits of data-dependent values (accumulators, results) beyond their range.
constexpr int kGuardBits = 1;

constexpr const char *kRoles[] = {"weight", "bias", "accum", "result"};

hls::FixedType &roleType(hls::LayerDesc &l, const std::string &role) {
  return role == "weight" ? l.weightType
         : role == "bias" ? l.biasType
         : role == "accum" ? l.accumType
                           : l.resultType;
}

json precisionsJson(const hls::NetworkDesc &d) {
  json layers = json::array();
  for (const hls::LayerDesc &l : d.layers) {
    json j{{"name", l.name}, {"kind", hls::layerKindName(l.kind)}};
    for (const char *role : kRoles)
      j[role] = roleType(const_cast<hls::LayerDesc &>(l), role).toString();
    layers.push_back(j);
  }
  return json{{"input", d.inputType.toString()}, {"layers", layers}};
}

/// The input network at the precisions of a committed precisions.json.
hls::NetworkDesc applyPrecisions(const hls::NetworkDesc &input, const fs::path &file) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error("cannot read " + file.string() +
                             " (the committed quantize step is incomplete; rerun without --resume)");
  hls::NetworkDesc d = input;
  try {
    json j = json::parse(in);
    const json &layers = j.at("layers");
    if (layers.size() != d.layers.size())
      throw std::runtime_error("it describes " + std::to_string(layers.size()) +
                               " layers, the input design has " + std::to_string(d.layers.size()));
    d.inputType = hls::FixedType::parse(j.at("input").get<std::string>());
    for (size_t k = 0; k < d.layers.size(); ++k) {
      const json &l = layers[k];
      if (l.at("name").get<std::string>() != d.layers[k].name)
        throw std::runtime_error("layer " + std::to_string(k) + " is '" +
                                 l.at("name").get<std::string>() + "', the input design's is '" +
                                 d.layers[k].name + "'");
      for (const char *role : kRoles)
        roleType(d.layers[k], role) = hls::FixedType::parse(l.at(role).get<std::string>());
    }
  } catch (const std::exception &e) {
    throw std::runtime_error(file.string() + ": corrupt (" + e.what() + ")");
  }
  d.resolve();
  return d;
}

/// The config typedef a role is spelled by in the emitted project (batch-norm calls its
/// weights `scale_t`, prelu its slopes' type the call's `param_T`).
std::string projectRole(const hls::LayerDesc &l, const std::string &role) {
  if (role == "weight" && l.kind == hls::LayerKind::PReLU) return "param"; // prelu<data_T, param_T, ...>
  return l.kind == hls::LayerKind::BatchNorm && role == "weight" ? "scale" : role;
}

/// Whether the layer's config carries a type for `role` (the same roles the precision search
/// gives slots to, read from the layer kind's descriptor: a pooling layer's accum_t holds the
/// window maximum or sum, a depthwise convolution accumulates like any MAC layer).
bool hasRole(const hls::LayerDesc &l, const std::string &role) {
  const hls::LayerKindInfo &kind = hls::kindInfo(l.kind);
  if (kind.reshapeOnly)
    return false;
  if (role == "result")
    return true;
  if (role == "accum")
    return kind.isMac || kind.hasPoolAccum;
  if (role == "bias")
    return kind.hasWeights && kind.hasBias; // PReLU: slopes only
  return kind.hasWeights;
}

/// Copies the input project into `out` with the types of `chosen` written into its typedefs
/// (and weight headers re-quantised) by the Clang-based rewriter.
meta::RewriteReport instrument(const std::string &projectDir, const hls::NetworkDesc &before,
                               const hls::NetworkDesc &chosen, const fs::path &out) {
  meta::ReadOptions read;
  read.top = before.name; // the model knows its top (it may have been renamed)
  meta::HlsProjectRewriter rewriter(projectDir, read);
  if (chosen.inputType != before.inputType) {
    for (const hls::LayerDesc &l : chosen.layers)
      if (!hls::kindInfo(l.kind).reshapeOnly) { // the first layer call reads input_t
        rewriter.setPrecision(l.name, "input", chosen.inputType);
        break;
      }
  }
  for (size_t k = 0; k < chosen.layers.size(); ++k) {
    hls::LayerDesc l = chosen.layers[k], old = before.layers[k];
    if (hls::kindInfo(l.kind).reshapeOnly)
      continue; // no type of its own: it carries its input's
    for (const char *role : kRoles) {
      if (roleType(l, role) == roleType(old, role))
        continue;
      // A changed type the project has no typedef for would make the C code compute something
      // else than the simulator: never skip it silently.
      if (!hasRole(l, role))
        throw std::logic_error("quantize: the search changed " + l.name + "'s " + role +
                               " type, which a " + hls::layerKindName(l.kind) +
                               " layer's config does not carry");
      rewriter.setPrecision(l.name, projectRole(l, role), roleType(l, role));
    }
  }
  return rewriter.writeTo(out.string());
}

std::string fmt(double v, int digits = 4) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}
#endif

} // namespace

void runQuantize(TaskContext &ctx) {
  QuantizeOptions options = optionsOf(ctx);
#ifndef MMLC_HAVE_META
  (void)options;
  throw ctx.error("quantize writes the chosen precisions into the HLS C++ with the "
                  "metaprogramming library (runtime/meta), and this mmlc was built without it; "
                  "rebuild with 'meta' in MMLC_RUNTIME_COMPONENTS (needs the Clang 19 libraries)");
#else
  const TaskArgs &a = ctx.args;
  const flow::Handle &hh = a.h("h"), &dh = a.h("d");
  ModelStore::Hls &input = ctx.store.hlsModels.at(hh.id);
  const std::string projectDir = (ctx.modelDir() / "project").string();
  if (ctx.committed) { // rebuild the chosen design from its precisions, without searching
    hls::NetworkDesc desc = applyPrecisions(input.desc, ctx.modelDir() / "precisions.json");
    ctx.store.hlsModels[ctx.key] = {std::move(desc), projectDir, input.dnn, dh.id, false, input.estimator};
    return;
  }
  const nn::DatasetSplit &split = ctx.store.data.at(dh.id).split;
  const nn::Dataset &selection = split.validation.size() > 0 ? split.validation : split.test;
  const nn::Dataset &test = split.test;
  const bool sigmoidOut =
      !input.desc.layers.empty() && input.desc.layers.back().kind == hls::LayerKind::Sigmoid;
  hls::OutputScoring testScoring;
  try {
    options.scoring = scoringFor(input.desc.outputSize(), sigmoidOut, selection);
    testScoring = scoringFor(input.desc.outputSize(), sigmoidOut, test);
  } catch (const std::invalid_argument &e) {
    throw ctx.error(std::string("quantize: ") + e.what());
  }
  testScoring.tolerance = options.scoring.tolerance; // one regression tolerance for both sets
  const std::string decision = options.scoring.describe(input.desc.outputSize());
  ctx.log("quantize_decision", {{"decision", flow::jsonString(decision)}});
  for (const nn::Dataset *set : {&selection, &test}) {
    if (set->x.cols() != input.desc.inputSize())
      throw ctx.error("quantize: the data has " + std::to_string(set->x.cols()) +
                      " features per sample but the design takes " +
                      std::to_string(input.desc.inputSize()) + " inputs");
  }
  auto started = std::chrono::steady_clock::now();

  // Ranges: a float forward pass over the selection samples; the input range over every split.
  const std::vector<float> x = hlsInputs(ctx.store, input, selection, kSearchSamples);
  const size_t n = x.size() / static_cast<size_t>(input.desc.inputSize());
  const std::vector<int> labels =
      selection.labels.empty() ? std::vector<int>(n, 0)
                               : std::vector<int>(selection.labels.begin(),
                                                  selection.labels.begin() + static_cast<long>(n));
  ValueRanges ranges = analyseRanges(input.desc, x.data(), n,
                                     options.overflow != hls::OverflowMode::WRAP);
  for (const nn::Dataset *set : {&split.train, &split.validation, &split.test})
    if (set->x.size() > 0) {
      ranges.inputMin = std::min(ranges.inputMin, static_cast<double>(set->x.minCoeff()));
      ranges.inputMax = std::max(ranges.inputMax, static_cast<double>(set->x.maxCoeff()));
    }
  const std::vector<PrecisionSlot> slots = precisionSlots(input.desc, ranges, kGuardBits);

  // The search, one LOG event per simulated candidate.
  std::string phase;
  int inPhase = 0;
  auto endPhase = [&] { // "[start 1 sensitivity 47 combine 5 refine 11, ..."
    if (!phase.empty())
      ctx.progress << (phase == "start" ? "" : " ") << phase << " " << inPhase;
  };
  auto report = [&](const QuantizeCandidate &c) {
    if (phase.empty())
      ctx.progress << " [";
    if (c.phase != phase) {
      endPhase();
      phase = c.phase;
      inPhase = 0;
    }
    ++inPhase;
    ctx.log("quantize_step", {{"phase", flow::jsonString(c.phase)},
                              {"layer", flow::jsonString(c.layer)},
                              {"role", flow::jsonString(c.role)},
                              {"type", flow::jsonString(c.type)},
                              {"accuracy", jsonNumber(c.accuracy)},
                              {"baseline", jsonNumber(c.baseline)},
                              {"feasible", c.feasible ? "true" : "false"},
                              {"bits", jsonNumber(c.bits)}});
    ctx.progress << std::flush;
  };
  QuantizeResult result;
  try {
    result = searchPrecisions(input.desc, slots, x.data(), labels.data(), n, options, report);
  } catch (const std::exception &e) {
    if (!phase.empty()) {
      endPhase();
      ctx.progress << "]";
    }
    throw ctx.error(std::string("quantize: ") + e.what());
  }
  endPhase();
  const double searchSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Test accuracy of the input and the chosen design.
  const std::vector<float> testX = hlsInputs(ctx.store, input, test, 0);
  const size_t nTest = static_cast<size_t>(test.size());
  const std::vector<int> testLabels = test.labels.empty() ? std::vector<int>(nTest, 0) : test.labels;
  const double baselineTest =
      hls::NetworkSim(input.desc).accuracy(testX.data(), testLabels.data(), nTest, 0, testScoring);
  const double accuracyTest =
      hls::NetworkSim(result.desc).accuracy(testX.data(), testLabels.data(), nTest, 0, testScoring);
  ctx.progress << ", bits " << result.bitsBefore << " -> " << result.bits << ", accuracy "
               << fmt(baselineTest) << " -> " << fmt(accuracyTest) << "]" << std::flush;

  // Instrument the precisions into the project (Clang rewriter) and save them.
  const fs::path staged = ctx.staging / "project";
  meta::RewriteReport rewrite = instrument(tasks::projectDir(input), input.desc, result.desc, staged);
  json saved = precisionsJson(result.desc);
  saved["granularity"] = a.s("granularity");
  saved["tolerance"] = options.tolerance;
  saved["decision"] = decision;
  saved["selection_samples"] = n;
  saved["baseline_accuracy"] = baselineTest;
  saved["accuracy"] = accuracyTest;
  saved["validation_baseline_accuracy"] = result.baselineAccuracy;
  saved["validation_accuracy"] = result.accuracy;
  saved["bits_before"] = result.bitsBefore;
  saved["bits"] = result.bits;
  {
    std::ofstream out(ctx.staging / "precisions.json");
    out << saved.dump(2) << "\n";
    if (!out)
      throw std::runtime_error("cannot write " + (ctx.staging / "precisions.json").string());
  }

  std::map<std::string, double> &metrics = ctx.store.metrics[ctx.key];
  metrics = {{"accuracy", accuracyTest},
             {"baseline_accuracy", baselineTest},
             {"accuracy_loss", baselineTest - accuracyTest},
             {"validation_accuracy", result.accuracy},
             {"validation_baseline_accuracy", result.baselineAccuracy},
             {"bits", static_cast<double>(result.bits)},
             {"bits_before", static_cast<double>(result.bitsBefore)},
             {"candidates", static_cast<double>(result.evaluations)}};

  // Confirm by C simulation: the rewritten C++ must compute exactly what the simulator did.
  ProjectCSim csim;
  if (a.b("csim")) {
    std::vector<float> csimX = hlsInputs(ctx.store, input, test, kCSimSamples);
    const size_t nc = csimX.size() / static_cast<size_t>(input.desc.inputSize());
    std::vector<int> csimLabels(testLabels.begin(), testLabels.begin() + static_cast<long>(nc));
    csim = simulateProject(result.desc, staged, ctx.staging / "csim", csimX, csimLabels, testScoring);
    ctx.progress << " [csim " << csim.samples << " samples: accuracy " << fmt(csim.csimAccuracy)
                 << (csim.mismatches ? ", MISMATCH]" : ", bit-exact]") << std::flush;
    metrics["csim_accuracy"] = csim.csimAccuracy;
    metrics["csim_match"] = csim.mismatches == 0 ? 1.0 : 0.0;
    metrics["csim_samples"] = static_cast<double>(csim.samples);
    if (csim.mismatches)
      throw ctx.error("quantize: the C simulation of the rewritten project differs from the "
                      "bit-exact simulator in " + std::to_string(csim.mismatches) + " of " +
                      std::to_string(csim.samples) + " samples (" + csim.mismatchReport + ")");
  }

  const hls::SynthMetrics before = hls::estimateDesign(input.desc, input.estimator);
  const hls::SynthMetrics after = hls::estimateDesign(result.desc, input.estimator);
  std::map<std::string, std::string> summary{
      {"baseline_accuracy", jsonNumber(baselineTest)},
      {"accuracy", jsonNumber(accuracyTest)},
      {"validation_baseline_accuracy", jsonNumber(result.baselineAccuracy)},
      {"validation_accuracy", jsonNumber(result.accuracy)},
      {"bits_before", jsonNumber(result.bitsBefore)},
      {"bits", jsonNumber(result.bits)},
      {"candidates", jsonNumber(result.evaluations)},
      {"selection_samples", jsonNumber(static_cast<double>(n))},
      {"search_seconds", jsonNumber(searchSeconds)},
      {"rewritten_files", jsonNumber(static_cast<double>(rewrite.changedFiles.size()))},
      {"estimated_dsp_before", jsonNumber(before.dsp)},
      {"estimated_dsp", jsonNumber(after.dsp)},
      {"estimated_lut_before", jsonNumber(before.lut)},
      {"estimated_lut", jsonNumber(after.lut)}};
  if (a.b("csim")) {
    summary["csim_accuracy"] = jsonNumber(csim.csimAccuracy);
    summary["csim_samples"] = jsonNumber(static_cast<double>(csim.samples));
    summary["csim_mismatches"] = jsonNumber(static_cast<double>(csim.mismatches));
  }
  ctx.log("quantize_summary", summary);
  ctx.store.hlsModels[ctx.key] = {result.desc, projectDir, input.dnn, dh.id, false, input.estimator};
#endif
}

} // namespace mmlc::tasks
