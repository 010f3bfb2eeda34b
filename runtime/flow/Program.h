// The executable form of a flow as plain C++ data (no MLIR): what the interpreter runs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "flow/Value.h"

namespace mmlc::flow {

/// Where an op came from in the .mml source, for runtime errors.
struct SourceLoc {
  std::string file;
  unsigned line = 0, column = 0;
  std::string str() const;
};

using ValueId = int;

/// One op of the executable form (docs/ir.md); the fields an op uses depend on its kind.
enum class OpKind {
  Constant,  // results[0] = constant
  Arith,     // name: addi subi muli addf subf mulf divf negf sitofp andi ori xori
  Compare,   // name: cmpi/cmpf; predicate: eq ne slt sle sgt sge / oeq une olt ole ogt oge
  StrCmp,    // predicate: eq | ne
  MakeFixed, // operands: width, integer bits; fixed: signedness and modes
  Metric,    // operands[0] a handle; name: the metric
  Call,      // name: the task; argNames per operand; path; step
  If,        // operands[0] condition; regions: then, else
  While,     // operands: inits; regions: cond, do; maxIterations
  For,       // operands: inits; values: the loop values; regions: body
  Parallel,  // labels; direction; regions: select, then one per branch
  Search,    // name: strategy; options; params; regions: body
  Yield,     // operands: the region's results
  Condition, // operands: condition, then the carried values
  Score,     // operands: objective, feasible
  SearchYield, // operands: result, objectives..., constraints...; directions
  Return,    // operands: the flow's result (none for main)
};

/// A searched parameter (from #mml.param): a range (optionally log) or a set of choices.
struct SearchParam {
  std::string name, type; // type: int | float | string | bool | fixed
  bool hasRange = false, log = false;
  double lower = 0, upper = 0;
  ScalarList choices;
};

struct Region;

struct Op {
  OpKind kind = OpKind::Constant;
  SourceLoc loc;
  std::vector<ValueId> operands, results;
  std::string name, predicate, path, direction;
  Value constant;
  FixedFormat fixed;
  ScalarList values;
  std::vector<std::string> argNames, argOrigins, labels, directions;
  std::int64_t step = -1, maxIterations = 0, numObjectives = 0;
  std::map<std::string, double> options;
  std::vector<SearchParam> params;
  std::vector<Region> regions;
};

struct Region {
  std::vector<ValueId> arguments;
  std::vector<Op> ops; // the last op is the region's terminator
};

/// A declared task (from mml.task): the runtime binding and its parameter names in order.
struct TaskDecl {
  std::string name, impl, command, resultType;
  std::vector<std::string> params;
  SourceLoc loc; // the declaration (an extern task's command runs in its file's folder)
};

/// A Slurm site option from `cfg { slurm.[TASK.]OPTION = V; }` (task empty: every job).
struct SlurmSetting {
  std::string task, option, value;
};

struct Program {
  std::map<std::string, TaskDecl> tasks;
  std::vector<SlurmSetting> slurm;
  Region main;
  int numValues = 0;
};

} // namespace mmlc::flow
