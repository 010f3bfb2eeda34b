// The Clang module's side of HlsProjectRewriter: parses the project once, then runs the passes
// (RewritePrecision.cpp, RewriteReuse.cpp, RewritePragmas.cpp, RewriteTop.cpp; shared state in
// RewriteContext.h) over the collected requests into non-overlapping edits applied with clang::Rewriter.
#include <chrono>

#include "meta/ClangModule.h"
#include "meta/HlsProjectAst.h"
#include "meta/RewriteContext.h"

namespace mmlc::meta::detail {

namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

class ClangRewriteSession final : public RewriteSession {
 public:
  ClangRewriteSession(std::string dir, ReadOptions options) : dir_(std::move(dir)), options_(std::move(options)) {}

  const HlsProject& project() override { return parse().model; }

  std::map<std::string, std::string> render(const std::vector<RewriteRequest>& requests, std::vector<std::string>* notes) override {
    ParsedHlsProject* parsed = &parse();
    auto t0 = std::chrono::steady_clock::now();
    rewrite::RewriteContext c(*parsed);
    for (RewriteRequest r : requests) {
      switch (r.kind) {
        case RewriteRequest::Precision:
          if (r.role == "input") {
            // The input of a layer is the previous layer's result (or the top's input typedef).
            const size_t k = c.layerIndex(r.layer);
            if (k > 0) {
              r.layer = parsed->model.layers[k - 1].name;
              r.role = "result";
            }
          }
          rewrite::rewritePrecision(c, r);
          break;
        case RewriteRequest::Reuse: rewrite::rewriteReuse(c, r); break;
        case RewriteRequest::Strategy: rewrite::rewriteStrategy(c, r); break;
        case RewriteRequest::SetPragma: rewrite::setPragma(c, r); break;
        case RewriteRequest::RemovePragma: rewrite::removePragma(c, r); break;
        case RewriteRequest::RenameTop: rewrite::renameTop(c, r.text); break;
      }
    }
    rewrite::checkConversions(c);
    rewrite::rewriteWeights(c);
    rewrite::updateInputDependentFields(c);
    auto out = c.edits.apply();
    for (const auto& [rel, text] : c.textFiles) out[rel] = text;
    if (notes) *notes = c.notes;
    rewriteMs_ = msSince(t0);
    return out;
  }

  double parseMs() const override { return parseMs_; }
  double rewriteMs() const override { return rewriteMs_; }

 private:
  ParsedHlsProject& parse() {
    if (!parsed_) {
      auto t0 = std::chrono::steady_clock::now();
      parsed_ = parseHlsProject(dir_, options_);
      parseMs_ = msSince(t0);
    }
    return *parsed_;
  }

  std::string dir_;
  ReadOptions options_;
  std::unique_ptr<ParsedHlsProject> parsed_;  // parsed once, by project() or render()
  double parseMs_ = 0, rewriteMs_ = 0;
};

}  // namespace

std::unique_ptr<RewriteSession> openClangRewriteSession(const std::string& dir, const ReadOptions& options) {
  return std::make_unique<ClangRewriteSession>(dir, options);
}

}  // namespace mmlc::meta::detail
