// Deterministic random and quasi-random number sources: a splitmix64 generator and scrambled Halton.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmlc::dse {

// Small, fast, fully specified generator. The standard library's distributions differ between
// implementations; ours do not, so a seed gives the same search on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  // A generator for one purpose and one step, independent of how many numbers were drawn before:
  // strategies derive every draw from (seed, step), which is what makes journal resume exact.
  static Random derive(std::uint64_t seed, std::uint64_t purpose, std::uint64_t step);

  std::uint64_t next();
  double uniform();                          // [0, 1)
  double normal();                           // standard normal
  std::size_t below(std::size_t n);          // uniform in [0, n)
  double exponential() ;                     // rate 1

 private:
  std::uint64_t state_;
};

// Halton sequence with a random permutation of the digits of every radix position (random-digit
// scrambling), which removes the correlations plain Halton shows in high dimensions.
class ScrambledHalton {
 public:
  ScrambledHalton(std::size_t dims, std::uint64_t seed);
  std::vector<double> point(std::uint64_t index) const;
  std::size_t dims() const { return bases_.size(); }

 private:
  std::vector<unsigned> bases_;
  // permutations_[dim][digitPosition * base + digit]
  std::vector<std::vector<unsigned>> permutations_;
  std::vector<unsigned> digits_;
};

}  // namespace mmlc::dse
