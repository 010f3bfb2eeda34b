// The flow interpreter: evaluates the executable form op by op, regions for control blocks.
#include "flow/Interpreter.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "dse/BayesOpt.h"
#include "dse/Evaluator.h"
#include "dse/Strategy.h"
#include "flow/Interrupt.h"
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

namespace {
std::string fileSafe(const std::string &text) {
  std::string out;
  for (char c : text)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out;
}

/// The log file stem of a part: `L<line>-<label>`, with the occurrence after the first.
std::string partLogName(const Op &op, const std::string &site, const std::string &label) {
  std::string occurrence = site.substr(site.find('#') + 1);
  return "L" + std::to_string(op.loc.line) + "-" + (occurrence == "0" ? "" : occurrence + "-") +
         fileSafe(label);
}
} // namespace

/// Counts one level of in-process work for a scope (a replay, a part computed in a child).
class InlineScope {
public:
  explicit InlineScope(int &depth) : depth_(depth) { ++depth_; }
  ~InlineScope() { --depth_; }
  InlineScope(const InlineScope &) = delete;
  InlineScope &operator=(const InlineScope &) = delete;

private:
  int &depth_;
};

namespace {
/// The tasks a region calls, nested regions included (per-task cluster options).
void collectTasks(const Region &region, std::set<std::string> &tasks) {
  for (const Op &op : region.ops) {
    if (op.kind == OpKind::Call)
      tasks.insert(op.name);
    for (const Region &r : op.regions)
      collectTasks(r, tasks);
  }
}

std::string encodeConfig(const std::vector<double> &values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", values[i]);
    out += (i ? "," : "") + std::string(buffer);
  }
  return out;
}
} // namespace

std::string Interpreter::enterSite(const Op &op) {
  int occurrence = occurrences_[&op]++;
  return "L" + std::to_string(op.loc.line) + "C" + std::to_string(op.loc.column) + "#" +
         std::to_string(occurrence);
}

std::string Interpreter::workerTarget(const std::string &site) const {
  const std::string &part = options_.workerPart;
  if (part.size() > site.size() + 1 && part.compare(0, site.size(), site) == 0 &&
      part[site.size()] == '/')
    return part.substr(site.size() + 1);
  return "";
}

void Interpreter::record(const std::string &event, const std::map<std::string, std::string> &fields) {
  if (options_.workerPart.empty()) // the controller records the flow's events, once
    runner_.record(event, fields);
}

void Interpreter::prefetch(const Op &op, const std::string &what, std::vector<Part> parts) {
  Executor *executor = options_.executor;
  if (!distributing() || parts.empty() || (parts.size() <= 1 && !executor->worthForOne()))
    return;
  std::string site = "L" + std::to_string(op.loc.line);
  runner_.note(op.loc, what + ": " + std::to_string(parts.size()) + " in up to " +
                           executor->describeLogs(site));
  std::vector<std::string> labels;
  for (size_t i = 0; i < parts.size(); ++i) {
    labels.push_back(parts[i].label);
    executor->submit(i, std::move(parts[i]));
  }
  for (size_t remaining = labels.size(); remaining > 0;) {
    auto ended = executor->wait();
    if (ended.empty())
      break; // stopped (Ctrl-C) or nothing left to wait for
    for (const auto &[ticket, outcome] : ended) {
      --remaining;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", outcome.seconds);
      runner_.note(op.loc, what + " \"" + labels.at(ticket) + "\" " +
                               (outcome.succeeded ? "computed" : "failed (the replay reports why)") +
                               " in " + seconds + " s");
    }
  }
  checkInterrupt(op.loc);
}

void Interpreter::run() {
  record("run", {}); // LOG readers tell the invocations of a resumed directory apart
  if (!options_.workerPart.empty() && options_.muteLog)
    options_.muteLog(true);
  const Op &terminator = runRegion(program_.main, {});
  if (terminator.kind != OpKind::Return)
    throw RuntimeError(terminator.loc, "main must end with a return");
  if (!options_.workerPart.empty())
    throw RuntimeError(terminator.loc, "--worker-part " + options_.workerPart +
                                           ": the flow has no such part (a worker runs the flow "
                                           "its controller runs, with the same options)");
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
  std::string site = enterSite(op);
  if (std::string target = workerTarget(site); !target.empty()) {
    size_t b = target.size() > 1 && target[0] == 'b' ? std::strtoul(target.c_str() + 1, nullptr, 10) : 0;
    if (b < 1 || b >= op.regions.size())
      throw RuntimeError(op.loc, "--worker-part " + options_.workerPart + ": no such branch");
    if (options_.muteLog)
      options_.muteLog(false);
    InlineScope inlineScope(inlineDepth_);
    const Op &yield = runRegion(op.regions[b], {});
    runRegion(op.regions[0], {get(yield.operands.at(0))}); // the metrics `select` reads
    throw PartFinished();
  }
  std::vector<Part> branches;
  if (distributing()) {
    std::set<std::string> selectTasks;
    collectTasks(op.regions[0], selectTasks);
    for (size_t b = 1; b < op.regions.size(); ++b) {
      std::set<std::string> tasks = selectTasks;
      collectTasks(op.regions[b], tasks);
      const std::string &label = op.labels.at(b - 1);
      branches.push_back({site + "/b" + std::to_string(b), label, partLogName(op, site, label), op.loc,
                          std::vector<std::string>(tasks.begin(), tasks.end()), [this, &op, b] {
                            InlineScope inlineScope(inlineDepth_);
                            const Op &yield = runRegion(op.regions[b], {});
                            runRegion(op.regions[0], {get(yield.operands.at(0))});
                          }});
    }
  }
  prefetch(op, "parallel branches", std::move(branches));
  std::optional<ReuseScope> reuse;
  std::optional<InlineScope> replay;
  if (distributing()) {
    reuse.emplace(runner_);
    replay.emplace(inlineDepth_);
  }
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
    record("parallel_branch", fields);
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

namespace {
/// The evaluator the interpreter drives dse::runSearch with: it collects the suggestions of one
/// ask and evaluates them together when the driver waits (the executor computes them, the
/// interpreter replays and tells them in id order), so a batch is what --jobs N asks for.
class BatchEvaluator final : public dse::Evaluator {
public:
  using Batch = std::function<std::vector<std::pair<dse::Trial, dse::Observation>>(
      const std::vector<dse::Trial> &)>;
  BatchEvaluator(size_t capacity, Batch evaluate) : capacity_(capacity), evaluate_(std::move(evaluate)) {}
  size_t capacity() const override { return capacity_; }
  void submit(const dse::Trial &trial) override { pending_.push_back(trial); }
  std::vector<std::pair<dse::Trial, dse::Observation>> wait() override {
    std::vector<dse::Trial> batch;
    batch.swap(pending_);
    std::sort(batch.begin(), batch.end(),
              [](const dse::Trial &a, const dse::Trial &b) { return a.id < b.id; });
    return evaluate_(batch);
  }

private:
  size_t capacity_;
  Batch evaluate_;
  std::vector<dse::Trial> pending_;
};
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
  auto argumentsOf = [&](const dse::Config &config) {
    std::vector<Value> arguments;
    for (size_t i = 0; i < op.params.size(); ++i) {
      const SearchParam &p = op.params[i];
      double v = config.values.at(i);
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
  std::string site = enterSite(op);
  if (std::string target = workerTarget(site); !target.empty()) {
    // A worker computes one evaluation, the configuration its controller chose.
    dse::Config config;
    const char *text = target.c_str() + 1;
    while (target[0] == 'e' && *text) {
      char *end = nullptr;
      config.values.push_back(std::strtod(text, &end));
      if (end == text)
        break;
      text = *end == ',' ? end + 1 : end;
    }
    if (target[0] != 'e' || config.values.size() != op.params.size())
      throw RuntimeError(op.loc, "--worker-part " + options_.workerPart + ": not a configuration of this search");
    if (options_.muteLog)
      options_.muteLog(false);
    InlineScope inlineScope(inlineDepth_);
    runRegion(body, argumentsOf(config));
    throw PartFinished();
  }

  // The budget: evaluations (a grid without one visits every point: the grid's size, continuous
  // ranges at `points` levels each) and wall time. A search with a time budget records how many
  // evaluations it made, and a replay (--resume, a worker) makes those again.
  dse::Budget budget;
  budget.evaluations = static_cast<size_t>(std::max(option("budget", op.name == "grid" ? gridSize : 0), 0.0));
  budget.seconds = std::max(option("time", 0), 0.0);
  if (budget.evaluations == 0 && budget.seconds <= 0)
    throw RuntimeError(op.loc, "this search needs a 'budget' (evaluations) or a 'time' limit");
  std::filesystem::path countFile;
  if (budget.seconds > 0 && !options_.searchStateDir.empty()) {
    countFile = std::filesystem::path(options_.searchStateDir) / (fileSafe(site) + ".evaluations");
    std::ifstream in(countFile);
    size_t made = 0;
    if (in >> made) {
      budget.evaluations = made;
      budget.seconds = 0;
    }
  }

  std::optional<Value> best;
  double bestScore = std::numeric_limits<double>::infinity();
  std::set<std::string> bodyTasks;
  collectTasks(body, bodyTasks);
  std::int64_t evaluation = 0;
  // Evaluates one batch (the suggestions of one ask, in id order): the executor computes them,
  // then each is replayed here from the model space and told in order, so the strategy sees
  // what it would see with every evaluation made in this process.
  auto evaluateBatch = [&](const std::vector<dse::Trial> &trials) {
    std::vector<Part> parts;
    if (distributing())
      for (size_t t = 0; t < trials.size(); ++t) {
        std::string label = "evaluation " + std::to_string(evaluation + static_cast<std::int64_t>(t) + 1);
        parts.push_back({site + "/e" + encodeConfig(trials[t].config.values), label,
                         partLogName(op, site, label), op.loc,
                         std::vector<std::string>(bodyTasks.begin(), bodyTasks.end()),
                         [this, &body, arguments = argumentsOf(trials[t].config)] {
                           InlineScope inlineScope(inlineDepth_);
                           runRegion(body, arguments);
                         }});
      }
    prefetch(op, "search evaluations", std::move(parts));
    std::optional<ReuseScope> reuse;
    std::optional<InlineScope> replay;
    if (distributing()) {
      reuse.emplace(runner_);
      replay.emplace(inlineDepth_);
    }
    std::vector<std::pair<dse::Trial, dse::Observation>> told;
    for (const dse::Trial &trial : trials) {
      ++evaluation;
      std::vector<Value> arguments = argumentsOf(trial.config);
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
      record("search_eval", fields);
      // The result is the best feasible evaluation by the first objective.
      if (observation.feasible() && observation.objectives.front() < bestScore) {
        bestScore = observation.objectives.front();
        best = get(yield.operands.at(0));
      }
      told.emplace_back(trial, std::move(observation));
    }
    return told;
  };
  BatchEvaluator evaluator(static_cast<size_t>(std::max(options_.jobs, 1)), evaluateBatch);
  dse::SearchResult result = dse::runSearch(*strategy, evaluator, budget);
  if (!countFile.empty() && !std::filesystem::exists(countFile)) {
    std::filesystem::create_directories(countFile.parent_path());
    std::ofstream(countFile) << result.evaluations.size() << "\n";
  }
  if (!best)
    throw RuntimeError(op.loc, "no evaluation of this search satisfied its 'require' constraints");
  setResults(op, {*best});
}

} // namespace mmlc::flow
