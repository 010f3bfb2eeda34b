// mmlc: the driver — checks and compiles .mml design flows (exit 0 ok, 1 user error, 2 usage).
#include "mml/Driver/CompilerPipeline.h"
#include "mml/Driver/SourceDiagnostics.h"
#include "mml/FrontEnd/ParseTreePrinter.h"
#include "mml/InitAllMML.h"
#include "mml/Support/MetricTable.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/thread.h"
#include "mlir/Support/FileUtilities.h"

#include <iostream>
#include <optional>

#ifdef MMLC_HAVE_META
#include "meta/HlsCommand.h"
#endif
#ifdef MMLC_HAVE_ESTIMATOR
#include "estimator/EstimatorCommand.h"
#endif
#ifdef MMLC_HAVE_RUN
#include "flow/Interpreter.h"
#include "flow/Interrupt.h"
#include "flow/SlurmExecutor.h"
#include "mml/Bridge/ProgramBuilder.h"
#include <filesystem>
#include <unistd.h>
#include "tasks/CoreTaskRunner.h"
#include "llvm/Support/Path.h"
#endif

using namespace mml;

namespace {

constexpr const char *kUsage = R"(mmlc — compiler for .mml design flows (DNN → FPGA accelerator)

Usage:
  mmlc check FILE [options]              check a flow: syntax, types, levels, parameters
  mmlc run FILE [-o OUTDIR] [options]    run a flow (default OUTDIR: out/<file name>)
  mmlc estimator predict IN.csv -o OUT.csv   per-layer DSP/LUT/FF/BRAM/latency/II estimates
  mmlc estimator calibrate DIR... -o FILE    refit the estimator from real synthesis reports
  mmlc metrics [LEVEL] [--markdown]      the metrics `x.name` reads for each type of value
  mmlc hls inspect DIR [--json]          print an HLS project's layers, precisions, reuse, pragmas
  mmlc hls rewrite DIR --set L.F=V ...   rewrite precisions/reuse/strategy/pragmas (see below)
  mmlc FILE --emit=KIND [-o OUT] [options]
                                         print the flow at a stage:
                                           ast      the parse tree
                                           mlir     the `mml` dialect from MLIRGen
                                           lowered  the executable form (docs/ir.md)

Options:
  -I DIR                 also search DIR for imports (repeatable)
  --stdlib DIR           use DIR as the stdlib (default: the built-in one, or $MMLC_STDLIB)
  --set KEY=VALUE        override a task parameter, e.g. --set prune.tolerance=0.05
                         (beats cfg blocks and flow text; repeatable)
  -o FILE                write output to FILE instead of standard output
  --locations            print source locations in MLIR output
  --timing               print how long each compiler phase took
  --resume               (run) reuse every step already committed in OUTDIR instead of
                         recomputing it: continues a killed or failed run
  --jobs N               (run) compute parallel branches and batches of N search
                         evaluations N at a time (default 1), in worker processes or
                         cluster jobs (--executor)
  --executor KIND        (run) where --jobs work runs: local (forked worker processes, the
                         default) or slurm (one sbatch job per branch or evaluation, each
                         running mmlc on the shared OUTDIR; docs/runtime.md)
  --slurm-partition P    (slurm) sbatch --partition
  --slurm-time T         (slurm) sbatch --time, e.g. 30 or 2:00:00
  --slurm-mem M          (slurm) sbatch --mem, e.g. 4G
  --slurm-cpus N         (slurm) sbatch --cpus-per-task
  --slurm-arg ARG        (slurm) a further sbatch argument, as given (repeatable)
  --slurm-task T.OPT=V   (slurm) OPT (partition, time, mem, cpus, arg) for the jobs that call
                         task T, e.g. --slurm-task synth.mem=16G (repeatable)
  --slurm-retries N      (slurm) submit a failed job again up to N times (default 2)
  --seed N               (run) shorthand for --set '*.seed=N': the `seed` parameter of
                         every task call, also where the flow text gives one
  --help                 show this help
  --version              show the version

Exit status: 0 on success, 1 when the flow has errors, 2 on bad usage, 130 when a run
was interrupted (Ctrl-C; continue it with --resume).
'mmlc hls --help' describes the HLS project commands.
)";

enum class Emit { Ast, Mlir, Lowered };

std::string absolutePath(const std::string &path) {
  llvm::SmallString<256> p(path);
  llvm::sys::fs::make_absolute(p);
  return p.str().str();
}

struct CommandLine {
  bool checkOnly = false;
  bool run = false;
  std::optional<Emit> emit;
  std::string output = "-";
  bool locations = false;
  bool timing = false;
  bool resume = false;
  int jobs = 1;
  std::string executor = "local";
  std::string workerPart; // internal: what a cluster job computes (--worker-part)
  int slurmRetries = 2;
  std::vector<std::string> slurmJob;  // "name=value" options of every job
  std::vector<std::string> slurmTask; // "task.name=value"
  std::vector<std::string> workerArgs; // options a worker repeats (-I, --stdlib, --set)
  std::string argv0;
  CompileOptions compile;
};

int usageError(const llvm::Twine &message) {
  llvm::errs() << "mmlc: " << message << "\nrun 'mmlc --help' for usage\n";
  return 2;
}

/// Parses argv; returns an exit code when mmlc should stop (help, version, usage error).
std::optional<int> parseCommandLine(int argc, char **argv, CommandLine &cl) {
  std::vector<std::string> positional;
  auto value = [&](int &i, llvm::StringRef arg, llvm::StringRef flag,
                   std::string &out) -> std::optional<int> {
    if (arg.size() > flag.size() && arg.starts_with(flag) &&
        (arg[flag.size()] == '=' || flag == "-I")) {
      out = arg.drop_front(flag.size() + (arg[flag.size()] == '=' ? 1 : 0)).str();
      return std::nullopt;
    }
    if (i + 1 >= argc)
      return usageError("option '" + flag + "' needs a value");
    out = argv[++i];
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    std::string v;
    auto is = [&](llvm::StringRef flag) {
      return arg == flag || (arg.starts_with(flag) && arg.size() > flag.size() &&
                             (arg[flag.size()] == '=' || flag == "-I"));
    };
    if (arg == "--help" || arg == "-h") {
      llvm::outs() << kUsage;
      return 0;
    }
    if (arg == "--version") {
      llvm::outs() << "mmlc " << MMLC_VERSION << " (LLVM/MLIR 19)\n";
      return 0;
    }
    if (arg == "--locations") {
      cl.locations = true;
    } else if (arg == "--timing") {
      cl.timing = true;
    } else if (arg == "--resume") {
      cl.resume = true;
    } else if (is("-I")) {
      if (auto rc = value(i, arg, "-I", v))
        return rc;
      cl.compile.frontEnd.includeDirs.push_back(v);
      cl.workerArgs.insert(cl.workerArgs.end(), {"-I", absolutePath(v)});
    } else if (is("--stdlib")) {
      if (auto rc = value(i, arg, "--stdlib", v))
        return rc;
      cl.compile.frontEnd.stdlibDir = v;
      cl.workerArgs.insert(cl.workerArgs.end(), {"--stdlib", absolutePath(v)});
    } else if (is("--set")) {
      if (auto rc = value(i, arg, "--set", v))
        return rc;
      if (v.find('=') == std::string::npos)
        return usageError("--set expects KEY=VALUE, got '" + v + "'");
      cl.compile.overrides.push_back(v);
      cl.workerArgs.insert(cl.workerArgs.end(), {"--set", v});
    } else if (is("--executor")) {
      if (auto rc = value(i, arg, "--executor", v))
        return rc;
      if (v != "local" && v != "slurm")
        return usageError("--executor expects local or slurm, got '" + v + "'");
      cl.executor = v;
    } else if (is("--worker-part")) {
      if (auto rc = value(i, arg, "--worker-part", v))
        return rc;
      cl.workerPart = v;
    } else if (is("--slurm-retries")) {
      if (auto rc = value(i, arg, "--slurm-retries", v))
        return rc;
      if (!llvm::to_integer(v, cl.slurmRetries) || cl.slurmRetries < 0 || cl.slurmRetries > 100)
        return usageError("--slurm-retries expects a number from 0 to 100, got '" + v + "'");
    } else if (is("--slurm-task")) {
      if (auto rc = value(i, arg, "--slurm-task", v))
        return rc;
      size_t dot = v.find('.'), eq = v.find('=');
      if (dot == std::string::npos || eq == std::string::npos || dot > eq || dot == 0)
        return usageError("--slurm-task expects TASK.OPTION=VALUE, got '" + v + "'");
      cl.slurmTask.push_back(v);
    } else if (is("--slurm-partition") || is("--slurm-time") || is("--slurm-mem") ||
               is("--slurm-cpus") || is("--slurm-arg")) {
      llvm::StringRef flag = arg.split('=').first;
      if (auto rc = value(i, arg, flag, v))
        return rc;
      cl.slurmJob.push_back(flag.drop_front(strlen("--slurm-")).str() + "=" + v);
    } else if (is("--jobs") || is("-j")) {
      if (auto rc = value(i, arg, arg.starts_with("-j") ? "-j" : "--jobs", v))
        return rc;
      if (!llvm::to_integer(v, cl.jobs) || cl.jobs < 1 || cl.jobs > 256)
        return usageError("--jobs expects a number of worker processes from 1 to 256, got '" + v + "'");
    } else if (is("--seed")) {
      if (auto rc = value(i, arg, "--seed", v))
        return rc;
      long long seed = 0;
      if (!llvm::to_integer(v, seed) || seed < 0 || seed > 2147483647)
        return usageError("--seed expects an integer from 0 to 2147483647, got '" + v + "'");
      cl.compile.overrides.push_back("*.seed=" + v);
      cl.workerArgs.insert(cl.workerArgs.end(), {"--set", "*.seed=" + v});
    } else if (is("-o")) {
      if (auto rc = value(i, arg, "-o", v))
        return rc;
      cl.output = v;
    } else if (is("--emit")) {
      if (auto rc = value(i, arg, "--emit", v))
        return rc;
      if (v == "ast")
        cl.emit = Emit::Ast;
      else if (v == "mlir")
        cl.emit = Emit::Mlir;
      else if (v == "lowered")
        cl.emit = Emit::Lowered;
      else
        return usageError("unknown --emit kind '" + v + "' (expected ast, mlir or lowered)");
    } else if (arg.starts_with("-") && arg != "-") {
      return usageError("unknown option '" + arg + "'");
    } else {
      positional.push_back(arg.str());
    }
  }
  if (!positional.empty() && positional.front() == "run") {
    cl.run = true;
    positional.erase(positional.begin());
    if (cl.emit)
      return usageError("'run' executes the flow; drop --emit");
  } else if (!positional.empty() && positional.front() == "check") {
    cl.checkOnly = true;
    positional.erase(positional.begin());
    if (cl.emit)
      return usageError("'check' prints nothing; drop --emit");
  }
  if (positional.empty())
    return usageError("no input file");
  if (positional.size() > 1)
    return usageError("one input file at a time (got '" + positional[1] + "' too)");
  if (!cl.checkOnly && !cl.run && !cl.emit)
    return usageError("say what to do: 'mmlc check FILE' or 'mmlc FILE --emit=ast|mlir|lowered'");
  cl.compile.inputFile = positional.front();
  return std::nullopt;
}

int emitAst(const CommandLine &cl, llvm::raw_ostream &os) {
  auto buffer = llvm::MemoryBuffer::getFile(cl.compile.inputFile, /*IsText=*/true);
  if (!buffer) {
    llvm::errs() << "error: cannot read '" << cl.compile.inputFile
                 << "': " << buffer.getError().message() << "\n";
    return 1;
  }
  return printParseTree((*buffer)->getBuffer(), cl.compile.inputFile, os, llvm::errs()) ? 0 : 1;
}

/// Runs the executable module through the interpreter and the built-in tasks.
int runFlow(const CommandLine &cl, mlir::ModuleOp module) {
#ifdef MMLC_HAVE_RUN
  mlir::FailureOr<mmlc::flow::Program> program = buildProgram(module);
  if (mlir::failed(program))
    return 1;
  std::string outDir = cl.output;
  if (outDir == "-")
    outDir = "out/" + llvm::sys::path::stem(cl.compile.inputFile).str();
  bool worker = !cl.workerPart.empty();
  bool slurm = cl.executor == "slurm" && !worker;
  std::filesystem::path jobsDir = std::filesystem::path(outDir) / "jobs";
  try {
    // A resumed cluster run whose jobs still run keeps their half-written steps; so do workers.
    bool removeStaging = !worker && !(slurm && cl.resume && mmlc::flow::slurmHasActiveJobs(jobsDir));
    mmlc::flow::MetaModel meta(outDir, removeStaging);
    mmlc::tasks::CoreTaskRunner runner(meta, std::cout, cl.resume || worker);
    mmlc::flow::ExecutionOptions execution;
    execution.jobs = cl.jobs;
    execution.searchStateDir = (meta.runDir() / "searches").string();
    std::unique_ptr<mmlc::flow::Executor> executor;
    mmlc::flow::installInterruptHandler();
    if (worker) {
      execution.workerPart = cl.workerPart;
      execution.muteLog = [&meta](bool muted) { meta.setLogMuted(muted); };
    } else if (slurm) {
      mmlc::flow::SlurmOptions slurmOptions;
      char self[4096];
      ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
      std::string mmlcPath = n > 0 ? std::string(self, static_cast<size_t>(n)) : absolutePath(cl.argv0);
      slurmOptions.workerCommand = {mmlcPath, "run", absolutePath(cl.compile.inputFile), "-o",
                                    absolutePath(outDir), "--resume", "--jobs", std::to_string(cl.jobs)};
      slurmOptions.workerCommand.insert(slurmOptions.workerCommand.end(), cl.workerArgs.begin(),
                                        cl.workerArgs.end());
      slurmOptions.workDir = std::filesystem::current_path();
      slurmOptions.jobsDir = std::filesystem::absolute(jobsDir);
      slurmOptions.jobs = cl.jobs;
      slurmOptions.retries = cl.slurmRetries;
      slurmOptions.resume = cl.resume;
      auto split = [](const std::string &text, char at) {
        size_t k = text.find(at);
        return std::make_pair(text.substr(0, k), text.substr(k + 1));
      };
      // cfg { slurm.[TASK.]OPTION = V; } first: the command line's options win.
      for (const mmlc::flow::SlurmSetting &setting : program->slurm) {
        mmlc::flow::SlurmJobOptions options;
        mmlc::flow::SlurmJobOptions &target = setting.task.empty() ? slurmOptions.job : options;
        if (!mmlc::flow::setSlurmJobOption(target, setting.option,
                                           setting.value)) {
          llvm::errs() << "mmlc: cfg slurm." << (setting.task.empty() ? "" : setting.task + ".")
                       << setting.option << ": bad value '" << setting.value << "'\n";
          return 1;
        }
        if (!setting.task.empty())
          slurmOptions.taskJobs.emplace_back(setting.task, options);
      }
      for (const std::string &option : cl.slurmJob) {
        auto [name, value] = split(option, '=');
        if (!mmlc::flow::setSlurmJobOption(slurmOptions.job, name, value)) {
          llvm::errs() << "mmlc: --slurm-" << name << ": bad value '" << value << "'\n";
          return 2;
        }
      }
      for (const std::string &option : cl.slurmTask) {
        auto [key, value] = split(option, '=');
        auto [task, name] = split(key, '.');
        mmlc::flow::SlurmJobOptions taskOptions;
        if (!mmlc::flow::setSlurmJobOption(taskOptions, name, value)) {
          llvm::errs() << "mmlc: --slurm-task " << option
                       << ": expected TASK.OPTION=VALUE with OPTION one of partition, time, mem, cpus, arg\n";
          return 2;
        }
        if (!program->tasks.count(task)) {
          llvm::errs() << "mmlc: --slurm-task " << option << ": the flow has no task '" << task << "'\n";
          return 2;
        }
        slurmOptions.taskJobs.emplace_back(task, taskOptions);
      }
      slurmOptions.interrupted = mmlc::flow::interruptRequested;
      slurmOptions.record = [&runner](const std::map<std::string, std::string> &fields) {
        runner.record("slurm_job", fields);
      };
      slurmOptions.note = [&runner](const mmlc::flow::SourceLoc &loc, const std::string &message) {
        runner.note(loc, message);
      };
      executor = mmlc::flow::makeSlurmExecutor(std::move(slurmOptions));
    } else if (cl.jobs > 1) {
      executor = mmlc::flow::makeLocalExecutor(cl.jobs, meta.runDir() / "jobs",
                                               mmlc::flow::interruptRequested);
    }
    execution.executor = executor.get();
    try {
      mmlc::flow::Interpreter(*program, runner, execution).run();
    } catch (const mmlc::flow::PartFinished &) {
      std::cout << "mmlc: worker part " << cl.workerPart << " finished; its steps are in " << outDir << "\n";
      return 0;
    }
    std::cout << "mmlc: run finished; CFG, LOG and models are in " << outDir << "\n";
    for (const std::string &report : runner.reports())
      std::cout << "mmlc: report: " << report << "\n";
    return 0;
  } catch (const mmlc::flow::Interrupted &e) {
    std::cout.flush();
    llvm::errs() << "mmlc: interrupted at " << e.loc.str() << "; the steps that finished are kept in "
                 << outDir << ": continue with --resume\n";
    return 130;
  } catch (const mmlc::flow::RuntimeError &e) {
    llvm::errs() << e.what() << "\n";
  } catch (const std::exception &e) {
    llvm::errs() << "error: " << e.what() << "\n";
  }
  return 1;
#else
  (void)module;
  llvm::errs() << "mmlc: this build cannot run flows (the runtime was not built)\n";
  return 2;
#endif
}

int compile(CommandLine &cl) {
  std::string error;
  // `check` writes nothing and `run` writes a run directory; only --emit writes to -o.
  std::unique_ptr<llvm::ToolOutputFile> output;
  if (cl.emit) {
    output = mlir::openOutputFile(cl.output, &error);
    if (!output) {
      llvm::errs() << "error: " << error << "\n";
      return 1;
    }
  }
  if (cl.emit == Emit::Ast) {
    int rc = emitAst(cl, output->os());
    if (rc == 0)
      output->keep();
    return rc;
  }

  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading(); // flows are small; threads cost more than they save here
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false); // users see their source line, not generic IR
  llvm::SourceMgr sourceMgr;
  mml::SourceDiagnosticHandler diagnostics(sourceMgr, &context);
  ModuleLoader loader(context, sourceMgr, cl.compile.frontEnd);

  mlir::DefaultTimingManager timingManager;
  timingManager.setEnabled(cl.timing);
  std::optional<mlir::TimingScope> rootTimer = timingManager.getRootScope();
  if (cl.timing)
    cl.compile.timing = &rootTimer;
  std::optional<mlir::TimingScope> parseTimer = rootTimer->nest("parse and MLIRGen");
  mlir::OwningOpRef<mlir::ModuleOp> module = parseInput(loader, cl.compile);
  parseTimer.reset();
  if (!module)
    return 1;
  if (cl.emit == Emit::Mlir) {
    if (mlir::failed(verifyParsed(*module, cl.compile)))
      return 1;
  } else if (mlir::failed(lowerToExecutable(*module, cl.compile))) {
    return 1;
  }
  if (cl.checkOnly)
    return 0;
  if (cl.run)
    return runFlow(cl, *module);
  std::optional<mlir::TimingScope> printTimer = rootTimer->nest("print");
  mlir::OpPrintingFlags flags;
  if (cl.locations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(output->os(), flags);
  output->keep();
  return 0;
}

/// `mmlc metrics [LEVEL] [--markdown]`: the metric table (docs/language.md holds its markdown).
int printMetrics(const std::vector<std::string> &args) {
  bool markdown = false;
  std::string only;
  for (const std::string &a : args) {
    if (a == "--markdown")
      markdown = true;
    else if (only.empty() && !a.empty() && a[0] != '-' && metricLevel(a))
      only = a;
    else {
      llvm::errs() << "mmlc metrics: unknown argument '" << a
                   << "' (expected a type: dnn, hls, rtl, metrics, data, device; or --markdown)\n";
      return 2;
    }
  }
  if (markdown)
    llvm::outs() << "| Type | Metric | Meaning |\n|---|---|---|\n";
  const MetricLevel *previous = nullptr;
  for (const MetricLevel *l = metricLevelsBegin(); l != metricLevelsEnd(); previous = l++) {
    if (!only.empty() && l->level != only)
      continue;
    std::string level(l->level);
    if (previous && previous->begin() == l->begin()) { // rtl gives exactly what hls gives
      if (markdown)
        llvm::outs() << "| `" << level << "` | those of `" << previous->level << "` | |\n";
      else
        llvm::outs() << level << ": those of " << previous->level << "\n";
      continue;
    }
    if (!markdown)
      llvm::outs() << level << (l->open() ? " (open: any name the record holds; the built-in tasks record these)" : "")
                   << ":\n";
    for (const MetricInfo &m : *l) {
      if (markdown)
        llvm::outs() << "| `" << level << "` | `" << m.name << "` | " << m.meaning << " |\n";
      else
        llvm::outs() << llvm::formatv("  {0,-18} {1}\n", m.name, m.meaning);
    }
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (argc > 1 && llvm::StringRef(argv[1]) == "estimator") {
#ifdef MMLC_HAVE_ESTIMATOR
    std::vector<std::string> args(argv + 2, argv + argc);
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::cout << mmlc::estimator::estimatorCommandUsage();
      return 0;
    }
    return mmlc::estimator::runEstimatorCommand(args, std::cout, std::cerr);
#else
    llvm::errs() << "mmlc: this build has no estimator command (runtime/estimator was not built)\n";
    return 2;
#endif
  }
  if (argc > 1 && llvm::StringRef(argv[1]) == "metrics")
    return printMetrics(std::vector<std::string>(argv + 2, argv + argc));
  if (argc > 1 && llvm::StringRef(argv[1]) == "hls") {
#ifdef MMLC_HAVE_META
    std::vector<std::string> args(argv + 2, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::cout << mmlc::meta::hlsCommandUsage();
      return args.empty() ? 2 : 0;
    }
    return mmlc::meta::runHlsCommand(args, std::cout, std::cerr);
#else
    llvm::errs() << "mmlc: this build has no HLS metaprogramming (runtime/meta was not built)\n";
    return 2;
#endif
  }
  CommandLine cl;
  cl.argv0 = argv[0];
  if (std::optional<int> rc = parseCommandLine(argc, argv, cl))
    return *rc;
  // The parser and MLIRGen recurse on nesting; a large stack keeps adversarial input (long
  // `else if` chains, deep expressions) from crashing instead of getting an error.
  int result = 1;
  llvm::thread worker(std::optional<unsigned>(256u << 20), [&] { result = compile(cl); });
  worker.join();
  return result;
}
