// Local threaded evaluator and the ask/evaluate/tell loop with budgets and journaling.
#include "dse/Evaluator.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "dse/Journal.h"
#include "dse/Pareto.h"

namespace mmlc::dse {

// A fixed pool of `jobs` workers draining a queue: long searches do not accumulate threads.
struct FunctionEvaluator::State {
  std::mutex mutex;
  std::condition_variable work, done;
  std::deque<Trial> queue;
  std::vector<std::pair<Trial, Observation>> finished;
  std::size_t outstanding = 0;  // submitted and not yet returned by wait()
  bool stopping = false;
  std::vector<std::thread> workers;
};

FunctionEvaluator::FunctionEvaluator(Function function, std::size_t jobs)
    : function_(std::move(function)), jobs_(jobs ? jobs : 1), state_(std::make_unique<State>()) {
  State* state = state_.get();
  const Function* fn = &function_;
  for (std::size_t i = 0; i < jobs_; ++i) {
    state->workers.emplace_back([state, fn] {
      while (true) {
        Trial trial;
        {
          std::unique_lock<std::mutex> lock(state->mutex);
          state->work.wait(lock, [&] { return state->stopping || !state->queue.empty(); });
          if (state->stopping && state->queue.empty()) return;
          trial = std::move(state->queue.front());
          state->queue.pop_front();
        }
        auto start = std::chrono::steady_clock::now();
        Observation o;
        try {
          o = (*fn)(trial.config);
        } catch (const std::exception&) {
          o = Observation{};
          o.failed = true;  // the evaluation crashed: recorded as failed, the search goes on
        }
        o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::lock_guard<std::mutex> lock(state->mutex);
        state->finished.emplace_back(std::move(trial), std::move(o));
        state->done.notify_all();
      }
    });
  }
}

FunctionEvaluator::~FunctionEvaluator() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->work.notify_all();
  for (auto& t : state_->workers) t.join();
}

void FunctionEvaluator::submit(const Trial& trial) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->queue.push_back(trial);
    ++state_->outstanding;
  }
  state_->work.notify_one();
}

std::vector<std::pair<Trial, Observation>> FunctionEvaluator::wait() {
  std::vector<std::pair<Trial, Observation>> out;
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->done.wait(lock, [&] { return !state_->finished.empty() || state_->outstanding == 0; });
  out.swap(state_->finished);
  state_->outstanding -= out.size();
  lock.unlock();
  // Results arrive in completion order; several finishing together are told in id order, so a
  // single job is fully deterministic.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first.id < b.first.id; });
  return out;
}

SearchResult runSearch(Strategy& strategy, Evaluator& evaluator, Budget budget, Journal* journal) {
  SearchResult result;
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (journal) {
    journal->replay(strategy);
    result.evaluations = journal->loaded();
  }
  std::size_t running = 0, asked = result.evaluations.size();
  bool exhausted = false;
  auto budgetLeft = [&] {
    if (budget.evaluations && asked >= budget.evaluations) return false;
    if (budget.seconds > 0 && elapsed() >= budget.seconds) return false;
    return true;
  };
  while (true) {
    if (!exhausted && budgetLeft() && running < evaluator.capacity()) {
      std::size_t want = evaluator.capacity() - running;
      if (budget.evaluations) want = std::min(want, budget.evaluations - asked);
      std::vector<Trial> trials = strategy.ask(want);
      if (trials.empty()) exhausted = true;
      for (const auto& t : trials) {
        evaluator.submit(t);
        ++running;
        ++asked;
      }
    }
    if (running == 0) break;
    for (auto& [trial, observation] : evaluator.wait()) {
      --running;
      // tell() validates the observation; the journal line is on disk before the next ask.
      strategy.tell(trial, observation);
      if (journal) journal->append(trial, observation);
      result.evaluations.push_back({trial, observation});
    }
  }
  result.best = bestFeasible(result.evaluations);
  result.pareto = paretoFront(result.evaluations);
  return result;
}

}  // namespace mmlc::dse
