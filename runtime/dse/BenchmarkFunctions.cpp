// Definitions of the standard test functions; formulas as in the SFU virtual library and Deb et al.
#include "dse/BenchmarkFunctions.h"

#include <cmath>
#include <string>

namespace mmlc::dse::benchmarks {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

double branin(double x1, double x2) {
  const double a = 1, b = 5.1 / (4 * kPi * kPi), c = 5 / kPi, r = 6, s = 10, t = 1 / (8 * kPi);
  double u = x2 - b * x1 * x1 + c * x1 - r;
  return a * u * u + s * (1 - t) * std::cos(x1) + s;
}

double hartmann6(const std::vector<double>& x) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                 {0.05, 10, 17, 0.1, 8, 14},
                                 {3, 3.5, 1.7, 10, 17, 8},
                                 {17, 8, 0.05, 10, 0.1, 14}};
  static const double P[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                 {2329, 4135, 8307, 3736, 1004, 9991},
                                 {2348, 1451, 3522, 2883, 3047, 6650},
                                 {4047, 8828, 8732, 5743, 1091, 381}};
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) {
      double d = x[std::size_t(j)] - P[i][j] * 1e-4;
      inner += A[i][j] * d * d;
    }
    sum += alpha[i] * std::exp(-inner);
  }
  return -sum;
}

double ackley(const std::vector<double>& x) {
  double s1 = 0, s2 = 0, d = double(x.size());
  for (double v : x) {
    s1 += v * v;
    s2 += std::cos(2 * kPi * v);
  }
  return -20 * std::exp(-0.2 * std::sqrt(s1 / d)) - std::exp(s2 / d) + 20 + std::exp(1.0);
}

double levy(const std::vector<double>& x) {
  auto w = [&](std::size_t i) { return 1 + (x[i] - 1) / 4; };
  std::size_t d = x.size();
  double s = std::pow(std::sin(kPi * w(0)), 2);
  for (std::size_t i = 0; i + 1 < d; ++i) {
    double wi = w(i);
    s += (wi - 1) * (wi - 1) * (1 + 10 * std::pow(std::sin(kPi * wi + 1), 2));
  }
  double wd = w(d - 1);
  s += (wd - 1) * (wd - 1) * (1 + std::pow(std::sin(2 * kPi * wd), 2));
  return s;
}

std::vector<double> zdt1(const std::vector<double>& x) {
  double f1 = x[0], g = 0;
  for (std::size_t i = 1; i < x.size(); ++i) g += x[i];
  g = 1 + 9 * g / double(x.size() - 1);
  return {f1, g * (1 - std::sqrt(f1 / g))};
}

std::vector<double> dtlz2(const std::vector<double>& x) {
  double g = 0;
  for (std::size_t i = 1; i < x.size(); ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
  return {(1 + g) * std::cos(x[0] * kPi / 2), (1 + g) * std::sin(x[0] * kPi / 2)};
}

SearchSpace boxSpace(std::size_t dims, double lower, double upper) {
  SearchSpace s;
  for (std::size_t i = 0; i < dims; ++i) s.add(Parameter::real("x" + std::to_string(i), lower, upper));
  return s;
}

}  // namespace mmlc::dse::benchmarks
