// Implementation of the splitmix64 generator and the digit-scrambled Halton sequence.
#include "dse/QuasiRandom.h"

#include <cmath>

namespace mmlc::dse {

namespace {

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<unsigned> firstPrimes(std::size_t count) {
  std::vector<unsigned> primes;
  for (unsigned c = 2; primes.size() < count; ++c) {
    bool prime = true;
    for (unsigned p : primes) {
      if (p * p > c) break;
      if (c % p == 0) { prime = false; break; }
    }
    if (prime) primes.push_back(c);
  }
  return primes;
}

}  // namespace

Random Random::derive(std::uint64_t seed, std::uint64_t purpose, std::uint64_t step) {
  return Random(mix(mix(seed ^ 0x243f6a8885a308d3ULL) ^ mix(purpose + 0x13198a2e03707344ULL)) ^
                mix(step * 0x9e3779b97f4a7c15ULL + 0xa4093822299f31d0ULL));
}

std::uint64_t Random::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix(state_);
}

double Random::uniform() { return double(next() >> 11) * 0x1.0p-53; }

double Random::normal() {
  // Box-Muller; one of the pair is dropped so the generator stays stateless beyond state_.
  double u1 = uniform();
  double u2 = uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

std::size_t Random::below(std::size_t n) { return n <= 1 ? 0 : std::size_t(next() % n); }

double Random::exponential() {
  double u = uniform();
  return -std::log1p(-u);
}

ScrambledHalton::ScrambledHalton(std::size_t dims, std::uint64_t seed) {
  bases_ = firstPrimes(dims);
  Random rng = Random::derive(seed, 0x4a1, dims);
  permutations_.resize(dims);
  digits_.resize(dims);
  for (std::size_t d = 0; d < dims; ++d) {
    unsigned b = bases_[d];
    // Enough digits to fill a double's mantissa.
    unsigned positions = unsigned(std::ceil(53.0 / std::log2(double(b))));
    digits_[d] = positions;
    auto& perm = permutations_[d];
    perm.resize(std::size_t(positions) * b);
    for (unsigned k = 0; k < positions; ++k) {
      unsigned* p = perm.data() + std::size_t(k) * b;
      for (unsigned i = 0; i < b; ++i) p[i] = i;
      for (unsigned i = b - 1; i > 0; --i) {
        unsigned j = unsigned(rng.below(i + 1));
        std::swap(p[i], p[j]);
      }
    }
  }
}

std::vector<double> ScrambledHalton::point(std::uint64_t index) const {
  std::vector<double> x(bases_.size());
  for (std::size_t d = 0; d < bases_.size(); ++d) {
    unsigned b = bases_[d];
    const unsigned* perm = permutations_[d].data();
    double scale = 1.0 / b, value = 0;
    std::uint64_t i = index;
    for (unsigned k = 0; k < digits_[d]; ++k) {
      unsigned digit = unsigned(i % b);
      i /= b;
      value += perm[std::size_t(k) * b + digit] * scale;
      scale /= b;
    }
    x[d] = value < 1.0 ? value : std::nextafter(1.0, 0.0);
  }
  return x;
}

}  // namespace mmlc::dse
