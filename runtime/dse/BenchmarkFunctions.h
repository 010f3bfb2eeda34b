// Standard optimisation test functions (Branin, Hartmann-6, Ackley, Levy, ZDT1, DTLZ2) with their
// search spaces, used by the unit tests and bench/bo.
#pragma once

#include <cstddef>
#include <vector>

#include "dse/SearchSpace.h"

namespace mmlc::dse::benchmarks {

double branin(double x1, double x2);  // on [-5,10]x[0,15]; minimum 0.397887
constexpr double kBraninMinimum = 0.39788735772973816;
double hartmann6(const std::vector<double>& x);  // on [0,1]^6; minimum -3.32237
constexpr double kHartmann6Minimum = -3.32236801141551;
double ackley(const std::vector<double>& x);  // on [-32.768, 32.768]^d; minimum 0
double levy(const std::vector<double>& x);    // on [-10, 10]^d; minimum 0
std::vector<double> zdt1(const std::vector<double>& x);   // on [0,1]^d; 2 objectives
std::vector<double> dtlz2(const std::vector<double>& x);  // on [0,1]^d; 2 objectives

SearchSpace boxSpace(std::size_t dims, double lower, double upper);

}  // namespace mmlc::dse::benchmarks
