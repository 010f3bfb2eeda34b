// The flow interpreter: evaluates the executable form op by op, regions for control blocks.
#include "flow/Interpreter.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

#include "dse/BayesOpt.h"
#include "flow/Interrupt.h"
#include "flow/ProcessPool.h"
#include "dse/Strategy.h"
#include "flow/MetaModel.h"

namespace mmlc::flow {

namespace {
/// A value as JSON text for the LOG: formats by their spelling, handles by their key, lists by
/// their description.
std::string jsonValue(const Value &v) {
  if (auto i = std::get_if<std::int64_t>(&v))
    return std::to_string(*i);
  if (auto d = std::get_if<double>(&v))
    return jsonNumber(*d);
  if (auto b = std::get_if<bool>(&v))
    return *b ? "true" : "false";
  if (auto s = std::get_if<std::string>(&v))
    return jsonString(*s);
  if (auto f = std::get_if<FixedFormat>(&v))
    return jsonString(f->spelling());
  if (auto h = std::get_if<Handle>(&v))
    return jsonString(h->id);
  if (std::holds_alternative<std::monostate>(v))
    return "null";
  return jsonString(describe(v));
}

/// How a search body computes `id`, for LOG readers: metric names, search parameters,
/// constants and arithmetic ("dsp", "lut / 100", "accuracy >= 0.74"); the current value
/// when it comes from outside the body's top level.
std::string expressionOf(const Region &body, const Op &search, const std::vector<Value> &values,
                         ValueId id, int depth = 0) {
  auto valueText = [&]() {
    const Value &v = values.at(static_cast<size_t>(id));
    if (auto d = std::get_if<double>(&v)) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%g", *d);
      return std::string(buffer);
    }
    return describe(v);
  };
  for (size_t i = 0; i < body.arguments.size() && i < search.params.size(); ++i)
    if (body.arguments[i] == id)
      return search.params[i].name;
  if (depth > 4)
    return valueText();
  for (const Op &op : body.ops) {
    if (std::find(op.results.begin(), op.results.end(), id) == op.results.end())
      continue;
    auto operand = [&](size_t k) {
      return expressionOf(body, search, values, op.operands.at(k), depth + 1);
    };
    if (op.kind == OpKind::Metric)
      return op.name;
    if (op.kind == OpKind::Arith && op.operands.size() == 2) {
      static const std::map<std::string, std::string> symbols{
          {"addi", "+"}, {"addf", "+"}, {"subi", "-"}, {"subf", "-"}, {"muli", "*"},
          {"mulf", "*"}, {"divf", "/"}, {"andi", "and"}, {"ori", "or"}, {"xori", "xor"}};
      auto symbol = symbols.find(op.name);
      if (symbol != symbols.end())
        return (depth ? "(" : "") + operand(0) + " " + symbol->second + " " + operand(1) +
               (depth ? ")" : "");
    }
    if (op.kind == OpKind::Arith && op.name == "negf")
      return "-" + operand(0);
    if (op.kind == OpKind::Arith && op.name == "sitofp")
      return operand(0);
    if (op.kind == OpKind::Compare) {
      static const std::map<std::string, std::string> symbols{
          {"eq", "=="},  {"ne", "!="},  {"slt", "<"}, {"sle", "<="}, {"sgt", ">"}, {"sge", ">="},
          {"oeq", "=="}, {"une", "!="}, {"olt", "<"}, {"ole", "<="}, {"ogt", ">"}, {"oge", ">="}};
      auto symbol = symbols.find(op.predicate);
      if (symbol != symbols.end())
        return operand(0) + " " + symbol->second + " " + operand(1);
    }
    break;
  }
  return valueText();
}

} // namespace

Interpreter::Interpreter(const Program &program, TaskRunner &runner, ExecutionOptions options)
    : program_(program), runner_(runner), options_(std::move(options)),
      values_(static_cast<size_t>(std::max(program.numValues, 0))) {}

namespace {
/// Turns reuse of committed steps on for a scope (the replay of work done by worker processes).
class ReuseScope {
public:
  explicit ReuseScope(TaskRunner &runner) : runner_(runner), previous_(runner.setReuseCommitted(true)) {}
  ~ReuseScope() { runner_.setReuseCommitted(previous_); }
  ReuseScope(const ReuseScope &) = delete;
  ReuseScope &operator=(const ReuseScope &) = delete;

private:
  TaskRunner &runner_;
  bool previous_;
};

std::string fileSafe(const std::string &text) {
  std::string out;
  for (char c : text)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out;
}
} // namespace

void Interpreter::prefetch(const Op &op, const std::string &what,
                           std::vector<std::pair<std::string, std::function<void()>>> work) {
  if (options_.jobs <= 1 || work.size() <= 1)
    return;
  std::vector<WorkItem> items;
  std::string site = "L" + std::to_string(op.loc.line);
  for (auto &[label, run] : work)
    items.push_back({label,
                     std::filesystem::path(options_.workerLogDir) / (site + "-" + fileSafe(label) + ".log"),
                     std::move(run)});
  runner_.note(op.loc, what + ": " + std::to_string(items.size()) + " in up to " +
                           std::to_string(options_.jobs) + " worker processes (progress in " +
                           options_.workerLogDir + "/" + site + "-*.log)");
  runInWorkerProcesses(
      std::move(items), options_.jobs,
      [&](const WorkOutcome &o) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", o.seconds);
        runner_.note(op.loc, what + " \"" + o.label + "\" " +
                                 (o.succeeded ? "computed" : "failed (the replay reports why)") +
                                 " in " + seconds + " s");
      },
      interruptRequested);
  checkInterrupt(op.loc);
}

void Interpreter::run() {
  runner_.record("run", {}); // LOG readers tell the invocations of a resumed directory apart
  const Op &terminator = runRegion(program_.main, {});
  if (terminator.kind != OpKind::Return)
    throw RuntimeError(terminator.loc, "main must end with a return");
}

const Op &Interpreter::runRegion(const Region &region, const std::vector<Value> &arguments) {
  if (arguments.size() != region.arguments.size())
    throw std::logic_error("region called with the wrong number of arguments");
  for (size_t i = 0; i < arguments.size(); ++i)
    values_.at(static_cast<size_t>(region.arguments[i])) = arguments[i];
  if (region.ops.empty())
    throw std::logic_error("region without a terminator");
  for (size_t i = 0; i + 1 < region.ops.size(); ++i)
    runOp(region.ops[i]);
  return region.ops.back();
}

std::vector<Value> Interpreter::operandValues(const Op &op, size_t from) const {
  std::vector<Value> out;
  for (size_t i = from; i < op.operands.size(); ++i)
    out.push_back(get(op.operands[i]));
  return out;
}

void Interpreter::setResults(const Op &op, const std::vector<Value> &results) {
  if (results.size() != op.results.size())
    throw RuntimeError(op.loc, "internal: result count mismatch");
  for (size_t i = 0; i < results.size(); ++i)
    values_.at(static_cast<size_t>(op.results[i])) = results[i];
}

std::int64_t Interpreter::asInt(ValueId id, const Op &op) const {
  if (auto v = std::get_if<std::int64_t>(&get(id)))
    return *v;
  throw RuntimeError(op.loc, "expected an int, got " + describe(get(id)));
}

double Interpreter::asFloat(ValueId id, const Op &op) const {
  if (auto v = std::get_if<double>(&get(id)))
    return *v;
  throw RuntimeError(op.loc, "expected a float, got " + describe(get(id)));
}

bool Interpreter::asBool(ValueId id, const Op &op) const {
  if (auto v = std::get_if<bool>(&get(id)))
    return *v;
  throw RuntimeError(op.loc, "expected a bool, got " + describe(get(id)));
}

void Interpreter::runOp(const Op &op) {
  switch (op.kind) {
  case OpKind::Constant:
    return setResults(op, {op.constant});
  case OpKind::Arith:
    return runArith(op);
  case OpKind::Compare:
    return runCompare(op);
  case OpKind::StrCmp: {
    auto &a = std::get<std::string>(get(op.operands[0]));
    auto &b = std::get<std::string>(get(op.operands[1]));
    return setResults(op, {(a == b) == (op.predicate == "eq")});
  }
  case OpKind::MakeFixed: {
    FixedFormat f = op.fixed;
    f.width = static_cast<int>(asInt(op.operands[0], op));
    f.integerBits = static_cast<int>(asInt(op.operands[1], op));
    if (f.width < 1 || f.width > 1024)
      throw RuntimeError(op.loc, "fixed-point width " + std::to_string(f.width) +
                                     " is not accepted by HLS tools (must be 1 to 1024)");
    return setResults(op, {f});
  }
  case OpKind::Metric: {
    const Handle *h = std::get_if<Handle>(&get(op.operands[0]));
    if (!h)
      throw RuntimeError(op.loc, "metric '" + op.name + "' of a value that is not a model");
    return setResults(op, {runner_.metric(*h, op.name, op.loc)});
  }
  case OpKind::Call:
    return runCall(op);
  case OpKind::If:
    return runIf(op);
  case OpKind::While:
    return runWhile(op);
  case OpKind::For:
    return runFor(op);
  case OpKind::Parallel:
    return runParallel(op);
  case OpKind::Search:
    return runSearch(op);
  default:
    throw RuntimeError(op.loc, "internal: terminator outside the end of a region");
  }
}

void Interpreter::runArith(const Op &op) {
  const std::string &n = op.name;
  if (n == "sitofp")
    return setResults(op, {static_cast<double>(asInt(op.operands[0], op))});
  if (n == "negf")
    return setResults(op, {-asFloat(op.operands[0], op)});
  if (n == "andi" || n == "ori" || n == "xori") {
    bool a = asBool(op.operands[0], op), b = asBool(op.operands[1], op);
    return setResults(op, {n == "andi" ? (a && b) : n == "ori" ? (a || b) : (a != b)});
  }
  if (n == "addi" || n == "subi" || n == "muli") {
    std::int64_t a = asInt(op.operands[0], op), b = asInt(op.operands[1], op), r = 0;
    bool overflow = n == "addi"   ? __builtin_add_overflow(a, b, &r)
                    : n == "subi" ? __builtin_sub_overflow(a, b, &r)
                                  : __builtin_mul_overflow(a, b, &r);
    if (overflow)
      throw RuntimeError(op.loc, "integer overflow");
    return setResults(op, {r});
  }
  double a = asFloat(op.operands[0], op), b = asFloat(op.operands[1], op);
  if (n == "addf")
    return setResults(op, {a + b});
  if (n == "subf")
    return setResults(op, {a - b});
  if (n == "mulf")
    return setResults(op, {a * b});
  if (n == "divf") {
    if (b == 0)
      throw RuntimeError(op.loc, "division by zero");
    return setResults(op, {a / b});
  }
  throw RuntimeError(op.loc, "internal: unknown arithmetic op " + n);
}

void Interpreter::runCompare(const Op &op) {
  const std::string &p = op.predicate;
  bool r = false;
  if (op.name == "cmpi") {
    const Value &va = get(op.operands[0]), &vb = get(op.operands[1]);
    if (std::holds_alternative<bool>(va)) { // i1 compares only eq/ne
      r = (std::get<bool>(va) == std::get<bool>(vb)) == (p == "eq");
      return setResults(op, {r});
    }
    std::int64_t a = asInt(op.operands[0], op), b = asInt(op.operands[1], op);
    r = p == "eq" ? a == b : p == "ne" ? a != b : p == "slt" ? a < b : p == "sle" ? a <= b
        : p == "sgt" ? a > b : a >= b;
  } else {
    double a = asFloat(op.operands[0], op), b = asFloat(op.operands[1], op);
    r = p == "oeq" ? a == b : p == "une" ? a != b : p == "olt" ? a < b : p == "ole" ? a <= b
        : p == "ogt" ? a > b : a >= b;
  }
  setResults(op, {r});
}

void Interpreter::runCall(const Op &op) {
  checkInterrupt(op.loc);
  auto it = program_.tasks.find(op.name);
  if (it == program_.tasks.end())
    throw RuntimeError(op.loc, "task '" + op.name + "' is not declared");
  NamedArgs args;
  for (size_t i = 0; i < op.operands.size(); ++i)
    args.emplace_back(op.argNames.at(i), get(op.operands[i]));
  Value result = runner_.runTask(it->second, op, args);
  if (!op.results.empty())
    setResults(op, {result});
}

void Interpreter::runIf(const Op &op) {
  const Region &branch = op.regions.at(asBool(op.operands[0], op) ? 0 : 1);
  const Op &yield = runRegion(branch, {});
  setResults(op, operandValues(yield));
}

void Interpreter::runWhile(const Op &op) {
  std::vector<Value> carried = operandValues(op);
  for (std::int64_t iteration = 0;; ++iteration) {
    const Op &condition = runRegion(op.regions.at(0), carried);
    carried = operandValues(condition, 1);
    if (!asBool(condition.operands[0], condition))
      break;
    if (iteration == op.maxIterations) {
      runner_.note(op.loc, "loop stopped by its bound (max " + std::to_string(op.maxIterations) +
                               ") while its condition still held");
      break;
    }
    const Op &yield = runRegion(op.regions.at(1), carried);
    carried = operandValues(yield);
  }
  setResults(op, carried);
}

void Interpreter::runFor(const Op &op) {
  std::vector<Value> carried = operandValues(op);
  for (const Scalar &s : op.values) {
    std::vector<Value> arguments{std::visit([](const auto &v) { return Value(v); }, s)};
    arguments.insert(arguments.end(), carried.begin(), carried.end());
    const Op &yield = runRegion(op.regions.at(0), arguments);
    carried = operandValues(yield);
  }
  setResults(op, carried);
}

void Interpreter::runParallel(const Op &op) {
  // Branches run one after another here; their results do not depend on the order, which is
  // what lets `mmlc run --jobs N` run them concurrently.
  bool maximize = op.direction == "maximize";
  std::vector<std::pair<std::string, std::function<void()>>> branches;
  for (size_t b = 1; b < op.regions.size(); ++b)
    branches.emplace_back(op.labels.at(b - 1), [this, &op, b] {
      const Op &yield = runRegion(op.regions[b], {});
      runRegion(op.regions[0], {get(yield.operands.at(0))}); // the metrics `select` reads
    });
  prefetch(op, "parallel branches", std::move(branches));
  std::optional<ReuseScope> reuse;
  if (options_.jobs > 1)
    reuse.emplace(runner_);
  std::optional<size_t> best;
  double bestObjective = 0;
  Value bestValue;
  std::vector<std::tuple<double, bool, Value>> scored; // per branch, for the LOG
  for (size_t b = 1; b < op.regions.size(); ++b) {
    const Op &yield = runRegion(op.regions[b], {});
    Value candidate = get(yield.operands.at(0));
    const Op &score = runRegion(op.regions[0], {candidate});
    double objective = asFloat(score.operands[0], score);
    bool feasible = asBool(score.operands[1], score);
    scored.emplace_back(objective, feasible, candidate);
    if (!feasible)
      continue;
    if (!best || (maximize ? objective > bestObjective : objective < bestObjective)) {
      best = b;
      bestObjective = objective;
      bestValue = candidate;
    }
  }
  for (size_t i = 0; i < scored.size(); ++i) {
    const auto &[objective, feasible, candidate] = scored[i];
    std::map<std::string, std::string> fields{
        {"source", jsonString(op.loc.str())},
        {"label", jsonString(op.labels.at(i))},
        {"branch", std::to_string(i)},
        {"objective", jsonNumber(objective)},
        {"direction", jsonString(op.direction)},
        {"feasible", feasible ? "true" : "false"},
        {"selected", best && *best == i + 1 ? "true" : "false"}};
    if (auto h = std::get_if<Handle>(&candidate)) {
      fields["result"] = jsonString(h->id);
      fields["result_type"] = jsonString(h->type);
    }
    runner_.record("parallel_branch", fields);
  }
  if (!best)
    throw RuntimeError(op.loc, "no branch of this parallel block satisfies its 'where' constraint");
  runner_.note(op.loc, "parallel: selected branch \"" + op.labels.at(*best - 1) + "\"");
  setResults(op, {bestValue});
}

namespace {
/// The search space of a search op; `gridPoints` levels for continuous ranges in grid search.
dse::SearchSpace spaceOf(const Op &op, int gridPoints) {
  dse::SearchSpace space;
  for (const SearchParam &p : op.params) {
    if (p.hasRange) {
      auto scale = p.log ? dse::Scale::Log : dse::Scale::Linear;
      dse::Parameter param =
          p.type == "int" ? dse::Parameter::integer(p.name, static_cast<std::int64_t>(p.lower),
                                                    static_cast<std::int64_t>(p.upper), scale)
                          : dse::Parameter::real(p.name, p.lower, p.upper, scale);
      param.gridPoints = gridPoints;
      space.add(param);
      continue;
    }
    bool numeric = p.type == "int" || p.type == "float";
    if (numeric) {
      std::vector<double> values;
      for (const Scalar &s : p.choices)
        values.push_back(std::holds_alternative<std::int64_t>(s)
                             ? static_cast<double>(std::get<std::int64_t>(s))
                             : std::get<double>(s));
      std::sort(values.begin(), values.end());
      space.add(dse::Parameter::ordinal(p.name, values));
    } else {
      std::vector<std::string> labels;
      for (const Scalar &s : p.choices)
        labels.push_back(describe(std::visit([](const auto &v) { return Value(v); }, s)));
      space.add(dse::Parameter::categorical(p.name, labels));
    }
  }
  return space;
}
} // namespace

void Interpreter::runSearch(const Op &op) {
  auto option = [&](const char *key, double fallback) {
    auto it = op.options.find(key);
    return it == op.options.end() ? fallback : it->second;
  };
  dse::SearchSpace space = spaceOf(op, static_cast<int>(option("points", 5)));
  const Region &body = op.regions.at(0);
  dse::BayesOptOptions bo;
  bo.seed = static_cast<std::uint64_t>(option("seed", 0));
  bo.shape.objectives = static_cast<size_t>(std::max<std::int64_t>(op.numObjectives, 1));
  const Op &yieldShape = body.ops.back();
  bo.shape.constraints = yieldShape.operands.size() - 1 - bo.shape.objectives;
  if (op.options.count("init"))
    bo.initialPoints = static_cast<size_t>(option("init", 0));
  std::unique_ptr<dse::Strategy> strategy;
  if (op.name == "grid") {
    strategy = dse::makeGridSearch(space, bo.shape);
  } else if (op.name == "random") {
    strategy = dse::makeRandomSearch(space, bo.seed, bo.shape);
  } else {
    strategy = dse::makeBayesOpt(space, bo);
  }
  // A grid without a budget visits every point (the grid's size, continuous ranges at
  // `points` levels each).
  double gridSize = 1;
  for (const dse::Parameter &p : space.parameters())
    gridSize *= p.isDiscrete() ? static_cast<double>(p.cardinality()) : p.gridPoints;
  double budget = option("budget", op.name == "grid" ? gridSize : 0);
  if (budget <= 0)
    throw RuntimeError(op.loc, "this search needs a 'budget'");

  std::optional<Value> best;
  double bestScore = std::numeric_limits<double>::infinity();
  auto argumentsOf = [&](const dse::Trial &trial) {
    std::vector<Value> arguments;
    for (size_t i = 0; i < op.params.size(); ++i) {
      const SearchParam &p = op.params[i];
      double v = trial.config.values.at(i);
      if (!p.hasRange && p.type != "int" && p.type != "float")
        arguments.push_back(std::visit([](const auto &x) { return Value(x); },
                                       p.choices.at(static_cast<size_t>(v))));
      else if (p.type == "int")
        arguments.push_back(static_cast<std::int64_t>(std::llround(v)));
      else
        arguments.push_back(v);
    }
    return arguments;
  };
  std::optional<ReuseScope> reuse;
  if (options_.jobs > 1)
    reuse.emplace(runner_);
  for (std::int64_t evaluation = 0; evaluation < static_cast<std::int64_t>(budget);) {
    // With --jobs N, N suggestions at a time (the strategy keeps them apart while pending);
    // worker processes compute them, then each is replayed from the model space and told.
    std::int64_t batch = std::min<std::int64_t>(std::max(options_.jobs, 1),
                                                static_cast<std::int64_t>(budget) - evaluation);
    std::vector<dse::Trial> trials = strategy->ask(static_cast<size_t>(batch));
    if (trials.empty())
      break; // a grid that is exhausted
    std::vector<std::pair<std::string, std::function<void()>>> work;
    for (size_t t = 0; t < trials.size(); ++t)
      work.emplace_back("evaluation " + std::to_string(evaluation + static_cast<std::int64_t>(t) + 1),
                        [this, &body, arguments = argumentsOf(trials[t])] { runRegion(body, arguments); });
    prefetch(op, "search evaluations", std::move(work));
    for (const dse::Trial &trial : trials) {
      ++evaluation;
      std::vector<Value> arguments = argumentsOf(trial);
      const Op &yield = runRegion(body, arguments);
      dse::Observation observation;
      size_t objectives = static_cast<size_t>(op.numObjectives);
      std::vector<std::string> measured, objectiveNames, directions, satisfied, constraintNames;
      for (size_t k = 0; k < objectives; ++k) {
        double value = asFloat(yield.operands.at(1 + k), yield);
        observation.objectives.push_back(yield.directions.at(k) == "maximize" ? -value : value);
        measured.push_back(jsonNumber(value));
        objectiveNames.push_back(jsonString(expressionOf(body, op, values_, yield.operands[1 + k])));
        directions.push_back(jsonString(yield.directions.at(k)));
      }
      for (size_t k = 1 + objectives; k < yield.operands.size(); ++k) {
        bool holds = asBool(yield.operands[k], yield);
        observation.constraints.push_back(holds ? -1.0 : 1.0);
        satisfied.push_back(holds ? "true" : "false");
        constraintNames.push_back(jsonString(expressionOf(body, op, values_, yield.operands[k])));
      }
      strategy->tell(trial, observation);
      std::string params = "{";
      for (size_t i = 0; i < op.params.size(); ++i)
        params += (i ? "," : "") + jsonString(op.params[i].name) + ":" + jsonValue(arguments[i]);
      std::map<std::string, std::string> fields{
          {"source", jsonString(op.loc.str())},
          {"strategy", jsonString(op.name)},
          {"evaluation", std::to_string(evaluation - 1)},
          {"params", params + "}"},
          {"objectives", jsonArray(measured)},
          {"objective_names", jsonArray(objectiveNames)},
          {"directions", jsonArray(directions)},
          {"constraints", jsonArray(satisfied)},
          {"constraint_names", jsonArray(constraintNames)},
          {"feasible", observation.feasible() ? "true" : "false"}};
      if (auto h = std::get_if<Handle>(&get(yield.operands.at(0)))) {
        fields["result"] = jsonString(h->id);
        fields["result_type"] = jsonString(h->type);
      }
      runner_.record("search_eval", fields);
      // The result is the best feasible evaluation by the first objective.
      if (observation.feasible() && observation.objectives.front() < bestScore) {
        bestScore = observation.objectives.front();
        best = get(yield.operands.at(0));
      }
    }
  }
  if (!best)
    throw RuntimeError(op.loc, "no evaluation of this search satisfied its 'require' constraints");
  setResults(op, {*best});
}

} // namespace mmlc::flow
