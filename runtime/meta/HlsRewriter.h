// Source-to-source rewrites of an hls4ml-layout HLS project (Clang Rewriter underneath): layer
// precisions (with the weight headers re-quantised), reuse factor and strategy (with dependent
// config fields), HLS pragmas on functions and loops, and the top function's name. Only the
// edited spans change; the result goes to a new directory, or replaces the project atomically.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hls/FixedType.h"
#include "meta/HlsProject.h"

namespace mmlc::meta {

// Where a pragma goes: a function (qualified "nnet::dense_latency" or plain "myproject") and
// optionally one of its loops (its label or "#k", as HlsProject::loops lists them); an empty loop
// means the function body itself.
struct PragmaTarget {
  std::string function;
  std::string loop;
  std::string str() const { return loop.empty() ? function : function + "/" + loop; }
  // "myproject", "nnet::dense_latency/#1", "myproject/ROWS".
  static PragmaTarget parse(const std::string& text);
};

struct RewriteOptions {
  bool overwrite = false;  // replace an existing output directory
  bool verify = true;      // re-read the result and check every requested value is reported back
};

struct RewriteReport {
  std::string outDir;
  std::vector<std::string> changedFiles;  // relative to the project
  std::vector<std::string> notes;         // dependent updates, e.g. "layer13: in_width 16 -> 12"
  // The written project as re-read by the verification (RewriteOptions::verify; empty otherwise):
  // what a later readHlsProject(outDir) reports, without parsing it again.
  HlsProject readBack;
  double parseMs = 0, rewriteMs = 0, writeMs = 0, verifyMs = 0;
};

class HlsProjectRewriter {
 public:
  explicit HlsProjectRewriter(std::string dir, ReadOptions options = {});
  ~HlsProjectRewriter();
  HlsProjectRewriter(const HlsProjectRewriter&) = delete;
  HlsProjectRewriter& operator=(const HlsProjectRewriter&) = delete;

  // The project as read (parsed on the first call, or by render(); the same parse serves both),
  // e.g. to expand "every layer" into names before requesting edits. Throws HlsMetaError.
  const HlsProject& project();

  // Requests are checked and applied by render()/writeTo(), in the order given.
  // role: "weight", "bias", "accum", "result", "input" (the previous layer's result / the top's
  // input), or any other config typedef without "_t" ("table", "exp_table", ...).
  HlsProjectRewriter& setPrecision(const std::string& layer, const std::string& role, const hls::FixedType& type);
  HlsProjectRewriter& setReuseFactor(const std::string& layer, int reuseFactor);
  HlsProjectRewriter& setStrategy(const std::string& layer, const std::string& strategy);  // "latency" / "resource"
  // Inserts the pragma, or replaces the one with the same directive (and the same variable/port
  // for ARRAY_PARTITION, ARRAY_RESHAPE, INTERFACE) in that scope. text: "PIPELINE II=2".
  HlsProjectRewriter& setPragma(const PragmaTarget& target, const std::string& text);
  // Removes the pragmas with this directive (and variable, if given: "ARRAY_PARTITION variable=acc").
  HlsProjectRewriter& removePragma(const PragmaTarget& target, const std::string& directive);
  HlsProjectRewriter& renameTop(const std::string& newName);
  // Command-line form: "fc2.weight=fixed<8,3>", "fc2.reuse=4", "fc2.strategy=resource",
  // "top=newname". Throws HlsMetaError on a malformed setting.
  HlsProjectRewriter& applySetting(const std::string& setting);

  // New contents of every changed file (relative path -> text); nothing is written.
  std::map<std::string, std::string> render();
  // Writes the rewritten project to outDir (a new directory; outDir == the project or empty:
  // replace it atomically). On any error nothing of the input project has changed.
  RewriteReport writeTo(const std::string& outDir, const RewriteOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmlc::meta
