// Compiles flows from .mml text, bridges them to flow::Program and runs them on a fake task
// runner: call order and arguments, control blocks, parallel selection, search, located errors.
#include "flow/Interpreter.h"
#include "mml/Bridge/ProgramBuilder.h"
#include "mml/Driver/CompilerPipeline.h"
#include "mml/InitAllMML.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <map>

namespace {
using namespace mmlc::flow;

const char *kTasks = R"(
task src(n: int = 4) -> dnn;
task grow(m: dnn, by: int = 1) -> dnn;
task emit(m: dnn, reuse: int = 1, precision: fixed = fixed<16,6>, tag: string?) -> hls;
)";

/// Models are named by their creation; metrics come from a table keyed by model id.
struct FakeRunner : TaskRunner {
  std::vector<std::string> calls;
  std::vector<NamedArgs> args;
  std::map<std::string, double> dsp, accuracy;
  std::vector<std::string> notes;
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> records;
  int next = 0;

  Value runTask(const TaskDecl &task, const Op &call, const NamedArgs &a) override {
    calls.push_back(call.path);
    args.push_back(a);
    std::string id = task.name + std::to_string(next++);
    // DSP use falls as `grow` is applied and as reuse rises: enough structure for the tests.
    double base = 1000;
    for (auto &[name, value] : a) {
      if (auto h = std::get_if<Handle>(&value))
        base = dsp.count(h->id) ? dsp[h->id] : base;
      if (name == "by")
        base /= 2.0 * static_cast<double>(std::get<std::int64_t>(value));
      if (name == "reuse")
        base /= static_cast<double>(std::get<std::int64_t>(value));
    }
    dsp[id] = base;
    accuracy[id] = 0.9 - 0.01 * next;
    return Handle{task.resultType, id};
  }
  double metric(const Handle &h, const std::string &name, const SourceLoc &) override {
    return name == "dsp" ? dsp.at(h.id) : accuracy.at(h.id);
  }
  void note(const SourceLoc &, const std::string &message) override { notes.push_back(message); }
  void record(const std::string &event, const std::map<std::string, std::string> &fields) override {
    records.emplace_back(event, fields);
  }
  std::vector<std::map<std::string, std::string>> recorded(const std::string &event) const {
    std::vector<std::map<std::string, std::string>> out;
    for (const auto &[name, fields] : records)
      if (name == event)
        out.push_back(fields);
    return out;
  }
};

class InterpreterTest : public ::testing::Test {
protected:
  InterpreterTest() {
    mlir::DialectRegistry registry;
    mml::registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Compiles `main` (with kTasks) to a Program; fails the test on compile errors.
  Program compile(const std::string &body) {
    std::string errors;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      errors += d.str() + "\n";
      return mlir::success();
    });
    llvm::SourceMgr sm;
    mml::ModuleLoader loader(context, sm, {});
    auto module = loader.parseSource(std::string(kTasks) + body, "t.mml");
    EXPECT_TRUE(module) << errors;
    if (!module)
      return {};
    EXPECT_TRUE(mlir::succeeded(mml::lowerToExecutable(*module, {}))) << errors;
    auto program = mml::buildProgram(*module);
    EXPECT_TRUE(mlir::succeeded(program)) << errors;
    return mlir::succeeded(program) ? *program : Program{};
  }

  mlir::MLIRContext context;
  FakeRunner runner;
};

TEST_F(InterpreterTest, CallsRunInOrderWithEveryParameter) {
  Program p = compile("main { m = grow(src(8), by: 2); h = emit(m, tag: \"x\"); }");
  Interpreter(p, runner).run();
  ASSERT_EQ(runner.calls, (std::vector<std::string>{"main.src", "main.grow", "main.emit"}));
  const NamedArgs &emit = runner.args[2];
  ASSERT_EQ(emit.size(), 4u); // m, reuse, precision (defaults materialised), tag (given)
  EXPECT_EQ(emit[1].first, "reuse");
  EXPECT_EQ(std::get<std::int64_t>(emit[1].second), 1);
  EXPECT_EQ(std::get<FixedFormat>(emit[2].second).width, 16);
  EXPECT_EQ(std::get<std::string>(emit[3].second), "x");
}

TEST_F(InterpreterTest, OptionalParametersNobodyGaveAreAbsent) {
  Program p = compile("main { h = emit(src()); }");
  Interpreter(p, runner).run();
  for (auto &[name, value] : runner.args[1])
    EXPECT_NE(name, "tag");
}

TEST_F(InterpreterTest, IfTakesTheBranchTheMetricsSay) {
  Program p = compile(R"(main {
    h = emit(src());
    if (h.dsp > 500) { h = emit(src(), reuse: 4); } else { h = emit(src(), reuse: 1); }
    e = emit(src(), reuse: 8);
  })");
  Interpreter(p, runner).run();
  // src, emit (1000 DSP), then the big branch: src, emit(reuse 4), then src, emit(reuse 8).
  ASSERT_EQ(runner.calls.size(), 6u);
  EXPECT_EQ(std::get<std::int64_t>(runner.args[3][1].second), 4);
}

TEST_F(InterpreterTest, WhileRunsUntilTheConditionFails) {
  Program p = compile(R"(main {
    m = src();
    h = emit(m);
    while (h.dsp > 100) max 10 { m = grow(m); h = emit(m); }
  })");
  Interpreter(p, runner).run();
  // 1000 → 500 → 250 → 125 → 62.5: four rounds of grow + emit.
  EXPECT_EQ(runner.calls.size(), 2u + 4u * 2u);
  EXPECT_TRUE(runner.notes.empty());
}

TEST_F(InterpreterTest, WhileBoundStopsTheLoopAndSaysSo) {
  Program p = compile(R"(main {
    m = src();
    h = emit(m);
    while (h.dsp > 1) max 2 { m = grow(m); h = emit(m); }
  })");
  Interpreter(p, runner).run();
  EXPECT_EQ(runner.calls.size(), 2u + 2u * 2u);
  ASSERT_EQ(runner.notes.size(), 1u);
  EXPECT_NE(runner.notes[0].find("max 2"), std::string::npos);
}

TEST_F(InterpreterTest, ForRunsOncePerValue) {
  Program p = compile("main { m = src(); for r in [1, 2, 4] { h = emit(m, reuse: r); } }");
  Interpreter(p, runner).run();
  ASSERT_EQ(runner.calls.size(), 4u);
  EXPECT_EQ(std::get<std::int64_t>(runner.args[3][1].second), 4);
}

TEST_F(InterpreterTest, ParallelSelectsTheBestFeasibleBranch) {
  Program p = compile(R"(main {
    m = src();
    h = parallel {
      "R1": { yield emit(m, reuse: 1); }
      "R4": { yield emit(m, reuse: 4); }
      "R8": { yield emit(m, reuse: 8); }
    } select minimize dsp where dsp > 200;
    g = grow(src(), by: 1);
    x = emit(g, reuse: 2);
    if (h.dsp == 250) { ok = emit(g); }
  })");
  Interpreter(p, runner).run();
  // R8 has 125 DSP (infeasible), R4 250 is the best feasible: the `if` then calls emit once more.
  EXPECT_EQ(runner.calls.size(), 1u + 3u + 3u + 1u);
  ASSERT_FALSE(runner.notes.empty());
  EXPECT_NE(runner.notes.back().find("R4"), std::string::npos);
}

TEST_F(InterpreterTest, ParallelWithNoFeasibleBranchIsALocatedError) {
  Program p = compile(R"(main {
    m = src();
    h = parallel { "A": { yield emit(m); } } select minimize dsp where dsp < 0;
  })");
  try {
    Interpreter(p, runner).run();
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError &e) {
    EXPECT_EQ(e.loc.file, "t.mml");
    EXPECT_EQ(e.loc.line, 7u);
    EXPECT_NE(std::string(e.what()).find("no branch"), std::string::npos);
  }
}

TEST_F(InterpreterTest, GridSearchVisitsTheGridAndReturnsTheBest) {
  Program p = compile(R"(
search best(m: dnn) -> hls using grid {
  param r: int in {1, 2, 4, 8};
  h = emit(m, reuse: r);
  minimize h.dsp;
  require h.dsp >= 200;
  return h;
}
main { b = best(src()); if (b.dsp == 250) { c = emit(src(), reuse: 3); } })");
  Interpreter(p, runner).run();
  // src, four evaluations (DSP 1000, 500, 250, 125 — the last infeasible), then, because the
  // result is the 250-DSP design, src + emit.
  EXPECT_EQ(runner.calls.size(), 1u + 4u + 2u);
}

TEST_F(InterpreterTest, ARunAndEachParallelBranchAreRecordedForTheLog) {
  Program p = compile(R"(main {
    m = src();
    h = parallel {
      "R1": { yield emit(m, reuse: 1); }
      "R4": { yield emit(m, reuse: 4); }
      "R8": { yield emit(m, reuse: 8); }
    } select minimize dsp where dsp > 200;
  })");
  Interpreter(p, runner).run();
  ASSERT_FALSE(runner.records.empty());
  EXPECT_EQ(runner.records.front().first, "run");
  auto branches = runner.recorded("parallel_branch");
  ASSERT_EQ(branches.size(), 3u);
  EXPECT_EQ(branches[0].at("label"), "\"R1\"");
  EXPECT_EQ(branches[1].at("objective"), "250");
  EXPECT_EQ(branches[1].at("selected"), "true");
  EXPECT_EQ(branches[0].at("selected"), "false");
  EXPECT_EQ(branches[2].at("feasible"), "false");
  EXPECT_EQ(branches[2].at("result"), "\"emit3\"");
  EXPECT_EQ(branches[2].at("result_type"), "\"hls\"");
  EXPECT_EQ(branches[2].at("direction"), "\"minimize\"");
  EXPECT_EQ(branches[0].at("source"), "\"t.mml:7:9\"");
}

TEST_F(InterpreterTest, EverySearchEvaluationIsRecordedWithItsPointAndOutcome) {
  Program p = compile(R"(
search best(m: dnn) -> hls using grid {
  param r: int in {1, 2, 4, 8};
  h = emit(m, reuse: r);
  minimize h.dsp, h.accuracy * 100 - r;
  require h.dsp >= 200;
  return h;
}
main { b = best(src()); })");
  Interpreter(p, runner).run();
  auto evaluations = runner.recorded("search_eval");
  ASSERT_EQ(evaluations.size(), 4u);
  const auto &last = evaluations[3];
  EXPECT_EQ(last.at("evaluation"), "3");
  EXPECT_EQ(last.at("strategy"), "\"grid\"");
  EXPECT_EQ(last.at("params"), "{\"r\":8}");
  EXPECT_EQ(last.at("objective_names"), "[\"dsp\",\"(accuracy * 100) - r\"]");
  EXPECT_EQ(last.at("directions"), "[\"minimize\",\"minimize\"]");
  EXPECT_EQ(last.at("objectives").substr(0, 5), "[125,"); // measured, not negated
  EXPECT_EQ(last.at("constraint_names"), "[\"dsp >= 200\"]");
  EXPECT_EQ(last.at("constraints"), "[false]");
  EXPECT_EQ(last.at("feasible"), "false");
  EXPECT_EQ(evaluations[0].at("feasible"), "true");
  EXPECT_EQ(last.at("result"), "\"emit4\"");
}

TEST_F(InterpreterTest, BayesSearchRespectsItsBudget) {
  Program p = compile(R"(
search tune(m: dnn) -> hls using bayes(budget: 6, seed: 3) {
  param r: int in [1, 16];
  h = emit(m, reuse: r);
  minimize h.dsp;
  return h;
}
main { b = tune(src()); })");
  Interpreter(p, runner).run();
  EXPECT_EQ(runner.calls.size(), 1u + 6u);
}

TEST_F(InterpreterTest, InvalidComputedFormatIsALocatedError) {
  Program p = compile("main { w = 0; h = emit(src(), precision: fixed<w, 2>); }");
  try {
    Interpreter(p, runner).run();
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError &e) {
    EXPECT_EQ(e.loc.line, 5u);
    EXPECT_NE(std::string(e.what()).find("width 0"), std::string::npos);
  }
}

} // namespace
