// The project rewriter's front (no Clang): requests are collected here, the Clang module's
// RewriteSession (RewriteSession.cpp) turns them into the changed files, and this writes them to a
// new directory or swaps them in atomically, then verifies the result by reading it back.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "meta/ClangModule.h"
#include "meta/HlsRewriter.h"

namespace fs = std::filesystem;

namespace mmlc::meta {

using detail::RewriteRequest;

namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void copyTree(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw HlsMetaError(SourcePos{path.string(), 0, 0}, "cannot write file");
}

}  // namespace

struct HlsProjectRewriter::Impl {
  std::string dir;
  ReadOptions options;
  std::unique_ptr<detail::RewriteSession> session;  // opened (and the project parsed) on first need
  std::vector<RewriteRequest> requests;
  std::vector<std::string> notes;

  detail::RewriteSession& open() {
    if (!session) session = detail::clangModule().openRewrite(dir, options);
    return *session;
  }
};

HlsProjectRewriter::HlsProjectRewriter(std::string dir, ReadOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->dir = std::move(dir);
  impl_->options = std::move(options);
}
HlsProjectRewriter::~HlsProjectRewriter() = default;

const HlsProject& HlsProjectRewriter::project() { return impl_->open().project(); }

HlsProjectRewriter& HlsProjectRewriter::setPrecision(const std::string& layer, const std::string& role, const hls::FixedType& type) {
  RewriteRequest r{RewriteRequest::Precision, layer, role, "", type, 0, {}};
  impl_->requests.push_back(r);
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::setReuseFactor(const std::string& layer, int reuseFactor) {
  impl_->requests.push_back(RewriteRequest{RewriteRequest::Reuse, layer, "", "", {}, reuseFactor, {}});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::setStrategy(const std::string& layer, const std::string& strategy) {
  impl_->requests.push_back(RewriteRequest{RewriteRequest::Strategy, layer, "", strategy, {}, 0, {}});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::setPragma(const PragmaTarget& target, const std::string& text) {
  impl_->requests.push_back(RewriteRequest{RewriteRequest::SetPragma, "", "", text, {}, 0, target});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::removePragma(const PragmaTarget& target, const std::string& directive) {
  impl_->requests.push_back(RewriteRequest{RewriteRequest::RemovePragma, "", "", directive, {}, 0, target});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::renameTop(const std::string& newName) {
  impl_->requests.push_back(RewriteRequest{RewriteRequest::RenameTop, "", "", newName, {}, 0, {}});
  return *this;
}

HlsProjectRewriter& HlsProjectRewriter::applySetting(const std::string& setting) {
  const size_t eq = setting.find('=');
  if (eq == std::string::npos) throw HlsMetaError(SourcePos{}, "setting '" + setting + "' is not KEY=VALUE");
  const std::string key = setting.substr(0, eq), value = setting.substr(eq + 1);
  if (key == "top") return renameTop(value);
  const size_t dot = key.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
    throw HlsMetaError(SourcePos{}, "setting '" + setting + "': expected LAYER.FIELD=VALUE (weight, bias, accum, result, reuse, strategy)");
  const std::string layer = key.substr(0, dot), field = key.substr(dot + 1);
  if (field == "reuse" || field == "reuse_factor") {
    char* end = nullptr;
    long v = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end) throw HlsMetaError(SourcePos{}, "setting '" + setting + "': reuse factor must be an integer");
    return setReuseFactor(layer, int(v));
  }
  if (field == "strategy") return setStrategy(layer, value);
  hls::FixedType t;
  try {
    t = hls::FixedType::parse(value);
  } catch (const std::exception& e) {
    throw HlsMetaError(SourcePos{}, "setting '" + setting + "': " + e.what());
  }
  return setPrecision(layer, field, t);
}

std::map<std::string, std::string> HlsProjectRewriter::render() {
  return impl_->open().render(impl_->requests, &impl_->notes);
}

RewriteReport HlsProjectRewriter::writeTo(const std::string& outDirArg, const RewriteOptions& options) {
  RewriteReport report;
  const std::map<std::string, std::string> files = render();  // all checks happen before any write
  report.parseMs = impl_->session->parseMs();
  report.rewriteMs = impl_->session->rewriteMs();
  report.notes = impl_->notes;
  auto t0 = std::chrono::steady_clock::now();
  const fs::path in = fs::canonical(impl_->dir);
  fs::path out = outDirArg.empty() ? in : fs::absolute(outDirArg).lexically_normal();
  if (out.has_filename() == false) out = out.parent_path();
  std::error_code ec;
  const bool inPlace = fs::exists(out) && fs::equivalent(out, in, ec);
  // An output inside the project would be copied into itself.
  if (!inPlace) {
    const std::string o = fs::weakly_canonical(out).string(), i = in.string() + "/";
    if (o.compare(0, i.size(), i) == 0) throw HlsMetaError(SourcePos{out.string(), 0, 0}, "output directory is inside the project");
  }
  if (!inPlace && fs::exists(out) && !options.overwrite)
    throw HlsMetaError(SourcePos{out.string(), 0, 0}, "output directory exists (use overwrite, or another directory)");
  // pid + a per-process counter: concurrent rewrites never share a temporary directory.
  static std::atomic<unsigned> counter{0};
  const std::string suffix = ".mmlc-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const fs::path tmp = out.string() + suffix;
  fs::remove_all(tmp, ec);
  try {
    fs::create_directories(tmp.parent_path());
    copyTree(in, tmp);
    for (const auto& [rel, text] : files) writeText(tmp / rel, text);
    if (fs::exists(out)) {
      // Swap: the old tree moves aside first so a failed rename leaves it recoverable.
      const fs::path old = out.string() + ".mmlc-old-" + suffix.substr(10);
      fs::rename(out, old);
      try {
        fs::rename(tmp, out);
      } catch (...) {
        fs::rename(old, out);
        throw;
      }
      fs::remove_all(old, ec);
    } else {
      fs::rename(tmp, out);
    }
  } catch (const HlsMetaError&) {
    fs::remove_all(tmp, ec);
    throw;
  } catch (const std::exception& e) {
    fs::remove_all(tmp, ec);
    throw HlsMetaError(SourcePos{out.string(), 0, 0}, std::string("cannot write the rewritten project: ") + e.what());
  }
  report.writeMs = msSince(t0);
  report.outDir = out.string();
  for (const auto& [rel, _] : files) report.changedFiles.push_back(rel);

  if (options.verify) {
    // Re-read the result: every requested value must be reported back exactly.
    t0 = std::chrono::steady_clock::now();
    ReadOptions readOptions = impl_->options;
    for (const RewriteRequest& r : impl_->requests)
      if (r.kind == RewriteRequest::RenameTop) readOptions.top = r.text;  // the top now has that name
    HlsProject back = readHlsProject(out.string(), readOptions);
    for (const RewriteRequest& r : impl_->requests) {
      if (r.kind == RewriteRequest::Precision) {
        const HlsLayer& l = back.requireLayer(r.layer);
        auto it = l.precisions.find(r.role);
        if (it == l.precisions.end() || !it->second.known || it->second.type != r.type)
          throw HlsMetaError(l.call, "verification failed: " + r.layer + "." + r.role + " reads back as " +
                                         (it == l.precisions.end() ? std::string("nothing") : it->second.spelled));
      } else if (r.kind == RewriteRequest::Reuse) {
        const HlsLayer& l = back.requireLayer(r.layer);
        if (l.reuseFactor != r.number) throw HlsMetaError(l.call, "verification failed: reuse factor reads back as " + std::to_string(l.reuseFactor));
      } else if (r.kind == RewriteRequest::Strategy) {
        const HlsLayer& l = back.requireLayer(r.layer);
        if (l.strategy != r.text) throw HlsMetaError(l.call, "verification failed: strategy reads back as " + l.strategy);
      } else if (r.kind == RewriteRequest::RenameTop) {
        if (back.topFunction != r.text) throw HlsMetaError(back.topPos, "verification failed: top reads back as " + back.topFunction);
      }
    }
    report.verifyMs = msSince(t0);
    report.readBack = std::move(back);
  }
  return report;
}

}  // namespace mmlc::meta

