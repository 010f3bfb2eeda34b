// Metaprogramming tasks (docs/tasks.md): hls_import, set_precision, set_reuse, pragma, rename_top —
// source-to-source rewrites of an HLS model's project (runtime/meta) that keep its description in
// step, so estimate, synth, quantize and accuracy see what the rewritten C++ computes.
#include "tasks/ExternTask.h"
#include "tasks/TaskContext.h"

#ifdef MMLC_HAVE_META
#include <algorithm>
#include <cstdint>
#include <functional>

#include "meta/HlsNetworkImport.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"
#endif

namespace mmlc::tasks {

#ifdef MMLC_HAVE_META

namespace {
namespace fs = std::filesystem;
using meta::HlsMetaError;

/// A runtime/meta error as a task error located at the call; a position inside the project is
/// named by its full path (`project/firmware/parameters.h:12:5`).
flow::RuntimeError metaError(const TaskContext &ctx, const HlsMetaError &e, const fs::path &project) {
  meta::SourcePos pos = e.pos();
  std::error_code ec;
  if (!pos.file.empty() && fs::path(pos.file).is_relative() && fs::exists(project / pos.file, ec))
    pos.file = (project / pos.file).string();
  return ctx.error(ctx.task.name + ": " + (pos.file.empty() ? "" : pos.str() + ": ") + e.message());
}

/// A JSON array of strings.
std::string jsonStrings(const std::vector<std::string> &items) {
  std::vector<std::string> quoted;
  for (const std::string &item : items)
    quoted.push_back(flow::jsonString(item));
  return flow::jsonArray(quoted);
}

std::string layerNames(const meta::HlsProject &p) {
  std::string s;
  for (const meta::HlsLayer &l : p.layers)
    s += (s.empty() ? "" : ", ") + l.name;
  return s;
}

/// The layer a task names; an unknown name is an error listing the project's layers.
const meta::HlsLayer &namedLayer(const TaskContext &ctx, const meta::HlsProject &p,
                                 const std::string &name) {
  if (const meta::HlsLayer *l = p.layer(name))
    return *l;
  throw ctx.error(ctx.task.name + ": no layer '" + name + "' in the HLS model (layers: " +
                  layerNames(p) + "; \"*\" means all of them)");
}

/// What one rewrite task asks of the project, given the project as read.
using RewriteRequest = std::function<void(meta::HlsProjectRewriter &, const meta::HlsProject &)>;
/// Checks the re-read result for what the rewriter's own verification does not cover.
using RewriteCheck = std::function<void(const meta::HlsProject &)>;

/// One metaprogramming step on the model `h`: the project is rewritten into the staging dir and
/// the result's description is the input's with the rewritten project's values read back (so a
/// typedef shared by several layers changes all of them in both). On reload the committed
/// project is read instead, with the same top function, so both give the same description.
void rewriteStep(TaskContext &ctx, const std::string &resultTop, const RewriteRequest &request,
                 const RewriteCheck &check = {}) {
  ModelStore::Hls &in = ctx.store.hlsModels.at(ctx.args.h("h").id);
  ModelStore::Hls out{in.desc, (ctx.modelDir() / "project").string(), in.dnn, in.data, false, in.estimator};
  meta::ReadOptions read;
  if (ctx.committed) {
    read.top = resultTop;
    try {
      meta::syncNetworkWithProject(out.desc, meta::readHlsProject(out.dir, read));
    } catch (const HlsMetaError &e) {
      throw metaError(ctx, e, out.dir);
    }
    ctx.store.hlsModels[ctx.key] = std::move(out);
    return;
  }
  read.top = in.desc.name;
  const fs::path target = ctx.staging / "project";
  fs::remove_all(target); // a failed earlier attempt of this step
  meta::RewriteReport report;
  try {
    meta::HlsProjectRewriter rewriter(projectDir(in), read);
    request(rewriter, rewriter.project());
    report = rewriter.writeTo(target.string());
    if (check)
      check(report.readBack);
    meta::syncNetworkWithProject(out.desc, report.readBack);
  } catch (const HlsMetaError &e) {
    throw metaError(ctx, e, in.dir);
  }
  ctx.status("[" + std::to_string(report.changedFiles.size()) +
             (report.changedFiles.size() == 1 ? " file" : " files") + " changed]");
  ctx.log("hls_rewrite", {{"files", jsonStrings(report.changedFiles)},
                          {"notes", jsonStrings(report.notes)},
                          {"parse_ms", jsonNumber(report.parseMs)},
                          {"rewrite_ms", jsonNumber(report.rewriteMs)},
                          {"verify_ms", jsonNumber(report.verifyMs)}});
  ctx.store.hlsModels[ctx.key] = std::move(out);
}

// ---- hls_import

/// The files of a project that are copied: everything but vendor run folders (`<top>_prj/`) and
/// leftovers of interrupted rewrites.
std::vector<fs::path> projectFiles(const fs::path &dir) {
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string name = it->path().filename().string();
    bool skipped = name.find(".mmlc-tmp-") != std::string::npos ||
                   name.find(".mmlc-old-") != std::string::npos ||
                   (it.depth() == 0 && it->is_directory() && name.size() > 4 &&
                    name.compare(name.size() - 4, 4, "_prj") == 0);
    if (skipped) {
      if (it->is_directory())
        it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file())
      files.push_back(fs::relative(it->path(), dir));
  }
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

void runHlsImport(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  const ModelStore::Device &device = ctx.store.devices.at(a.h("device").id);
  // As given, like every path argument: the step key then covers the files in it, so a changed
  // project is imported again rather than served from an older step.
  const fs::path source = a.s("path");
  const fs::path copy = ctx.modelDir() / "project";
  meta::ReadOptions read;
  read.top = a.s("top");
  if (!ctx.committed) {
    std::error_code ec;
    if (!fs::is_directory(source, ec))
      throw ctx.error("hls_import: " + source.string() + ": not a directory");
    if (!fs::is_directory(source / "firmware", ec))
      throw ctx.error("hls_import: " + source.string() +
                      ": not an HLS project: no firmware/ folder (hls4ml layout: firmware/<top>.cpp, "
                      "parameters.h, defines.h, weights/)");
    const fs::path staged = ctx.staging / "project";
    fs::remove_all(staged);
    for (const fs::path &f : projectFiles(source)) {
      fs::create_directories((staged / f).parent_path());
      fs::copy_file(source / f, staged / f, fs::copy_options::overwrite_existing);
    }
  }
  // The copy is what is read, now and on reload: both give the same description.
  const fs::path readFrom = ctx.committed ? copy : ctx.staging / "project";
  hls::NetworkDesc desc;
  meta::HlsProject project;
  try {
    project = meta::readHlsProject(readFrom.string(), read);
    desc = meta::networkFromProject(project);
  } catch (const HlsMetaError &e) {
    throw metaError(ctx, e, ctx.committed ? copy : source);
  }
  desc.part = device.part;
  desc.clockPeriodNs = device.clockNs;
  if (!ctx.committed) {
    ctx.status("[" + std::to_string(project.layers.size()) + " layers, top " +
               project.topFunction + "]");
    ctx.log("hls_import", {{"source", flow::jsonString(source.string())},
                           {"top", flow::jsonString(project.topFunction)},
                           {"layers", std::to_string(desc.layers.size())},
                           {"io", flow::jsonString(desc.ioType == hls::IOType::Stream ? "stream"
                                                                                      : "parallel")}});
  }
  std::string data;
  if (a.has("data")) {
    data = a.h("data").id;
    long features = ctx.store.data.at(data).split.test.x.cols();
    if (features != desc.inputSize())
      throw ctx.error("hls_import: the data set has " + std::to_string(features) +
                      " features per sample but the project's top function takes " +
                      std::to_string(desc.inputSize()) + " inputs");
  }
  ctx.store.hlsModels[ctx.key] = {std::move(desc), copy.string(), "", data, false, device.estimator};
}

ModelStore::Hls importHlsProject(TaskContext &ctx, const fs::path &dir) {
  try {
    return {meta::networkFromProject(meta::readHlsProject(dir.string(), {})), dir.string(), "", ""};
  } catch (const HlsMetaError &e) {
    throw metaError(ctx, e, dir);
  }
}

// ---- set_precision

void runSetPrecision(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  std::vector<std::pair<std::string, hls::FixedType>> formats; // role → new type
  for (const char *role : {"weight", "bias", "accum", "result"})
    if (a.has(role))
      formats.push_back({role, toFixedType(a.fixed(role))});
  if (formats.empty())
    throw ctx.error("set_precision: give at least one of weight:, bias:, accum:, result:");
  const std::string layer = a.s("layer");
  const std::string top = ctx.store.hlsModels.at(a.h("h").id).desc.name;
  rewriteStep(ctx, top, [&](meta::HlsProjectRewriter &rw, const meta::HlsProject &p) {
    // A batch-norm layer's weights are its scales (`scale_t`).
    auto roleIn = [](const meta::HlsLayer &l, const std::string &role) -> std::string {
      if (l.precisions.count(role))
        return role;
      if (role == "weight" && l.precisions.count("scale"))
        return "scale";
      return "";
    };
    for (const auto &[role, type] : formats) {
      if (layer == "*") {
        size_t applied = 0;
        for (const meta::HlsLayer &l : p.layers)
          if (std::string r = roleIn(l, role); !r.empty()) {
            rw.setPrecision(l.name, r, type);
            ++applied;
          }
        if (applied == 0)
          throw ctx.error("set_precision: no layer has a " + role + " precision (layers: " +
                          layerNames(p) + ")");
        continue;
      }
      const meta::HlsLayer &l = namedLayer(ctx, p, layer);
      std::string r = roleIn(l, role);
      if (r.empty()) {
        std::string roles;
        for (const auto &[name, _] : l.precisions)
          roles += (roles.empty() ? "" : ", ") + name;
        throw ctx.error("set_precision: layer " + l.name + " (" + l.kind + ") has no " + role +
                        " precision (it has: " + roles + ")");
      }
      rw.setPrecision(l.name, r, type);
    }
  });
}

// ---- set_reuse

void runSetReuse(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  const std::string layer = a.s("layer"), strategy = a.s("strategy");
  const int reuse = static_cast<int>(a.i("reuse"));
  const std::string top = ctx.store.hlsModels.at(a.h("h").id).desc.name;
  rewriteStep(ctx, top, [&](meta::HlsProjectRewriter &rw, const meta::HlsProject &p) {
    std::vector<const meta::HlsLayer *> targets;
    if (layer == "*") {
      // Every layer with a reuse factor; the strategy only where the config has one.
      for (const meta::HlsLayer &l : p.layers)
        if (l.reuseFactor >= 0)
          targets.push_back(&l);
      if (targets.empty())
        throw ctx.error("set_reuse: no layer has a reuse_factor (layers: " + layerNames(p) + ")");
    } else {
      targets.push_back(&namedLayer(ctx, p, layer));
    }
    for (const meta::HlsLayer *l : targets) {
      rw.setReuseFactor(l->name, reuse);
      if (strategy != "keep" && (layer != "*" || !l->strategy.empty()))
        rw.setStrategy(l->name, strategy);
    }
  });
}

void rewriteReuse(TaskContext &ctx, const std::vector<ReuseChoice> &choices) {
  const std::string top = ctx.store.hlsModels.at(ctx.args.h("h").id).desc.name;
  rewriteStep(ctx, top, [&](meta::HlsProjectRewriter &rw, const meta::HlsProject &p) {
    for (const ReuseChoice &c : choices) {
      namedLayer(ctx, p, c.layer);
      rw.setReuseFactor(c.layer, c.reuse);
      rw.setStrategy(c.layer, c.strategy);
    }
  });
}

// ---- pragma

namespace {
/// The pragma text a `pragma(...)` call places (mode set) or the directive it removes.
std::string pragmaText(const TaskContext &ctx, bool remove) {
  const TaskArgs &a = ctx.args;
  const std::string action = a.s("action");
  const std::int64_t factor = a.i("factor");
  if (action == "pipeline")
    return remove ? "PIPELINE" : "PIPELINE II=" + std::to_string(a.i("ii"));
  if (action == "unroll")
    return remove || factor == 0 ? "UNROLL" : "UNROLL factor=" + std::to_string(factor);
  if (action == "inline")
    return "INLINE";
  // array_partition
  const std::string variable = a.s("variable"), partition = a.s("partition");
  if (variable.empty() && !remove)
    throw ctx.error("pragma: array_partition needs variable: (the array to partition)");
  if (remove)
    return variable.empty() ? "ARRAY_PARTITION" : "ARRAY_PARTITION variable=" + variable;
  if (partition != "complete" && factor == 0)
    throw ctx.error("pragma: a " + partition + " partition needs factor: (> 0)");
  std::string text = "ARRAY_PARTITION variable=" + variable + " " + partition;
  if (partition != "complete")
    text += " factor=" + std::to_string(factor);
  return text + " dim=" + std::to_string(a.i("dim"));
}
} // namespace

void runPragma(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  const bool remove = a.s("mode") == "remove";
  const std::string text = pragmaText(ctx, remove);
  const std::string top = ctx.store.hlsModels.at(a.h("h").id).desc.name;
  meta::PragmaTarget target{a.s("function").empty() ? top : a.s("function"), a.s("loop")};
  const std::string directive = text.substr(0, text.find(' '));
  const std::string variable = directive == "ARRAY_PARTITION" ? a.s("variable") : "";
  rewriteStep(
      ctx, top,
      [&](meta::HlsProjectRewriter &rw, const meta::HlsProject &) {
        if (remove)
          rw.removePragma(target, text);
        else
          rw.setPragma(target, text);
      },
      [&](const meta::HlsProject &back) {
        // The rewriter verifies precisions, reuse and names; pragmas are checked here.
        // The model names functions qualified (nnet::dense_latency); the call may not.
        auto sameFunction = [&](const std::string &qualified) {
          const std::string suffix = "::" + target.function;
          return qualified == target.function ||
                 (qualified.size() > suffix.size() &&
                  qualified.compare(qualified.size() - suffix.size(), suffix.size(), suffix) == 0);
        };
        bool found = false;
        for (const meta::HlsPragma &p : back.pragmas)
          if (sameFunction(p.function) && p.loop == target.loop &&
              (remove ? p.directive == directive &&
                            (variable.empty() || (p.options.count("variable") &&
                                                  p.options.at("variable") == variable))
                      : p.text == text))
            found = true;
        if (found == remove)
          throw ctx.error("pragma: verification failed: '" + text + "' is " +
                          (remove ? "still" : "not") + " in " + target.str() +
                          " after the rewrite");
      });
  if (!ctx.committed)
    ctx.log("hls_pragma", {{"mode", flow::jsonString(a.s("mode"))},
                           {"target", flow::jsonString(target.str())},
                           {"pragma", flow::jsonString(text)}});
}

// ---- rename_top

void runRenameTop(TaskContext &ctx) {
  const std::string name = ctx.args.s("name");
  rewriteStep(ctx, name, [&](meta::HlsProjectRewriter &rw, const meta::HlsProject &) {
    rw.renameTop(name);
  });
}

#else // built without runtime/meta: the tasks exist but say what is missing

namespace {
[[noreturn]] void metaUnavailable(TaskContext &ctx) {
  throw ctx.error(ctx.task.name +
                  ": this mmlc was built without the metaprogramming library (runtime/meta, which "
                  "needs Clang 19's libclang-cpp); rebuild with meta in MMLC_RUNTIME_COMPONENTS");
}
} // namespace

void runHlsImport(TaskContext &ctx) { metaUnavailable(ctx); }
ModelStore::Hls importHlsProject(TaskContext &ctx, const std::filesystem::path &) {
  metaUnavailable(ctx);
  return {};
}
void runSetPrecision(TaskContext &ctx) { metaUnavailable(ctx); }
void runSetReuse(TaskContext &ctx) { metaUnavailable(ctx); }
void rewriteReuse(TaskContext &ctx, const std::vector<ReuseChoice> &) { metaUnavailable(ctx); }
void runPragma(TaskContext &ctx) { metaUnavailable(ctx); }
void runRenameTop(TaskContext &ctx) { metaUnavailable(ctx); }

#endif

} // namespace mmlc::tasks
