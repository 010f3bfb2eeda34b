// Evaluators run suggested configurations; runSearch drives a strategy against one under a budget.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "dse/History.h"
#include "dse/Strategy.h"

namespace mmlc::dse {

class Journal;

// Asynchronous by design: a local thread pool, a cluster queue or a vendor-tool farm can all
// implement it. submit() must not block for long; wait() blocks until at least one submitted
// evaluation has finished and returns every finished one.
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual std::size_t capacity() const = 0;  // evaluations that may run at once (--jobs)
  virtual void submit(const Trial& trial) = 0;
  virtual std::vector<std::pair<Trial, Observation>> wait() = 0;
};

// Runs a function on local threads. Exceptions thrown by the function become failed evaluations.
class FunctionEvaluator final : public Evaluator {
 public:
  using Function = std::function<Observation(const Config&)>;
  FunctionEvaluator(Function function, std::size_t jobs = 1);
  ~FunctionEvaluator() override;
  std::size_t capacity() const override { return jobs_; }
  void submit(const Trial& trial) override;
  std::vector<std::pair<Trial, Observation>> wait() override;

 private:
  struct State;
  Function function_;
  std::size_t jobs_;
  std::unique_ptr<State> state_;
};

struct Budget {
  std::size_t evaluations = 0;  // 0: unlimited
  double seconds = 0;           // wall time; 0: unlimited. Running evaluations are finished.
};

struct SearchResult {
  std::vector<Evaluation> evaluations;  // in the order they were told (journal order)
  std::optional<std::size_t> best;      // best feasible, first objective
  std::vector<std::size_t> pareto;      // feasible non-dominated evaluations
};

// Asks, evaluates and tells until the budget is spent or the strategy runs out of suggestions.
// With a journal, its evaluations are replayed first (and count against the budget), and every
// new result is appended before the next ask.
SearchResult runSearch(Strategy& strategy, Evaluator& evaluator, Budget budget,
                       Journal* journal = nullptr);

}  // namespace mmlc::dse
