// Implementation of `mmlc hls inspect|rewrite`: argument parsing on top of readHlsProject and
// HlsProjectRewriter; every failure becomes one "file:line: error: message" line and a status.
#include "meta/HlsCommand.h"

#include <exception>
#include <filesystem>

#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"

namespace mmlc::meta {

std::string hlsCommandUsage() {
  return "usage: mmlc hls inspect DIR [--json] [-I INCLUDE_DIR]...\n"
         "       mmlc hls rewrite DIR [--set LAYER.FIELD=VALUE]... [--pragma FUNC[/LOOP]=TEXT]...\n"
         "                            [--remove-pragma FUNC[/LOOP]=DIRECTIVE]... [--rename-top NAME]\n"
         "                            [-o OUTDIR] [--force] [--no-verify] [-I INCLUDE_DIR]...\n"
         "  FIELD: weight, bias, accum, result, input (VALUE fixed<8,3>, ap_fixed<16,6,AP_RND,AP_SAT>, ...),\n"
         "         reuse (integer), strategy (latency|resource)\n"
         "  without -o the project is replaced atomically\n";
}

int runHlsCommand(std::vector<std::string> args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2 || (args[0] != "inspect" && args[0] != "rewrite")) {
    err << hlsCommandUsage();
    return 2;
  }
  const std::string cmd = args[0], dir = args[1];
  try {
    if (cmd == "inspect") {
      bool json = false;
      ReadOptions read;
      for (size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--json") json = true;
        else if (args[i] == "-I" && i + 1 < args.size()) read.includeDirs.push_back(args[++i]);
        else {
          err << "error: unknown option '" << args[i] << "'\n" << hlsCommandUsage();
          return 2;
        }
      }
      HlsProject p = readHlsProject(dir, read);
      out << (json ? p.toJson() : p.toTable());
      return 0;
    }
    // -I DIR (both commands): extra include directories, e.g. the vendor's ap types.
    ReadOptions read;
    for (size_t i = 2; i + 1 < args.size(); ++i)
      if (args[i] == "-I") {
        read.includeDirs.push_back(args[i + 1]);
        args.erase(args.begin() + long(i), args.begin() + long(i) + 2);
        --i;
      }
    HlsProjectRewriter rw(dir, read);
    std::string outDir;
    RewriteOptions options;
    size_t edits = 0;
    for (size_t i = 2; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= args.size()) throw std::invalid_argument("option " + a + " needs a value");
        return args[++i];
      };
      auto split = [](const std::string& v, std::string* target, std::string* text) {
        const size_t eq = v.find('=');
        if (eq == std::string::npos) throw std::invalid_argument("expected FUNC[/LOOP]=TEXT, got '" + v + "'");
        *target = v.substr(0, eq);
        *text = v.substr(eq + 1);
      };
      if (a == "--set") {
        rw.applySetting(value());
        ++edits;
      } else if (a == "--pragma" || a == "--remove-pragma") {
        std::string target, text;
        split(value(), &target, &text);
        if (a == "--pragma") rw.setPragma(PragmaTarget::parse(target), text);
        else rw.removePragma(PragmaTarget::parse(target), text);
        ++edits;
      } else if (a == "--rename-top") {
        rw.renameTop(value());
        ++edits;
      } else if (a == "-o" || a == "--output") {
        outDir = value();
      } else if (a == "--force") {
        options.overwrite = true;
      } else if (a == "--no-verify") {
        options.verify = false;
      } else {
        err << "error: unknown option '" << a << "'\n" << hlsCommandUsage();
        return 2;
      }
    }
    if (edits == 0) {
      err << "error: nothing to rewrite (give --set, --pragma, --remove-pragma or --rename-top)\n";
      return 2;
    }
    RewriteReport r = rw.writeTo(outDir, options);
    out << "wrote " << r.outDir << " (" << r.changedFiles.size() << " files changed)\n";
    for (const auto& f : r.changedFiles) out << "  " << f << "\n";
    for (const auto& n : r.notes) out << "  note: " << n << "\n";
    return 0;
  } catch (const HlsMetaError& e) {
    // Compiler style: the place (a project file, named from the current folder), then the error.
    SourcePos pos = e.pos();
    if (!pos.file.empty() && pos.file.front() != '/') pos.file = (std::filesystem::path(dir) / pos.file).lexically_normal().string();
    err << (pos.file.empty() ? std::string() : pos.str() + ": ") << "error: " << e.message() << "\n";
    return 1;
  } catch (const std::invalid_argument& e) {
    err << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mmlc::meta
