// MLIRGen's generator class, shared by the files that define its methods by concern:
// MLIRGen.cpp (entry, locations, symbols), MLIRGenDeclarations.cpp (pass 1: imports, tasks,
// flows, globals, constants), MLIRGenDefinitions.cpp (pass 2: flow, global, cfg and search
// bodies), MLIRGenStatements.cpp (scopes, assignment analysis, statements) and
// MLIRGenExpressions.cpp (expressions, calls, parallel). Private to lib/FrontEnd.
#pragma once

#include "mml/FrontEnd/ParsedFile.h"
#include "mml/Dialect/MML/MMLOps.h"
#include "mml/FrontEnd/ModuleLoader.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>
#include <vector>

namespace mml::mlirgen {
using namespace mlir;
using namespace mmlgrammar;
using llvm::StringRef;

/// Names assigned by a statement list: `maybe` anywhere inside, `definitely` on every path.
struct Assignments {
  llvm::StringSet<> maybe, definitely;
};

/// One method per grammar rule; one instance per .mml file.
class MLIRGenImpl {
public:
  MLIRGenImpl(MLIRContext &context, ModuleLoader &loader, StringRef fileName)
      : context(context), builder(&context), loader(loader), fileName(fileName.str()),
        fileAttr(StringAttr::get(&context, fileName)) {}

  OwningOpRef<ModuleOp> generate(MMLParser::ModuleContext *tree) {
    module = ModuleOp::create(FileLineColLoc::get(fileAttr, 1, 1));
    builder.setInsertionPointToEnd(module->getBody());
    bool ok = true;
    // Declarations first, so flows can call tasks and flows declared further down; imports
    // and globals before tasks, whose parameter defaults may name a global.
    for (auto *decl : tree->topDecl())
      if (decl->importDecl() || decl->globalDecl())
        ok &= succeeded(declare(decl));
    for (auto *decl : tree->topDecl())
      if (!decl->importDecl() && !decl->globalDecl())
        ok &= succeeded(declare(decl));
    if (ok)
      for (auto *decl : tree->topDecl())
        ok &= succeeded(define(decl));
    if (!ok)
      return nullptr;
    return std::move(module);
  }

private:
  //===--------------------------------------------------------------------===//
  // Locations, diagnostics, types
  //===--------------------------------------------------------------------===//

  Location loc(antlr4::ParserRuleContext *ctx) {
    antlr4::Token *start = ctx->getStart();
    return FileLineColLoc::get(fileAttr, start->getLine(), start->getCharPositionInLine() + 1);
  }
  Location loc(antlr4::Token *token) {
    return FileLineColLoc::get(fileAttr, token->getLine(), token->getCharPositionInLine() + 1);
  }
  InFlightDiagnostic error(antlr4::ParserRuleContext *ctx) { return emitError(loc(ctx)); }

  static std::string text(MMLParser::NameContext *name) { return name->getText(); }

  static std::string unquote(antlr4::Token *token);

  Type convertType(MMLParser::TypeRefContext *ctx);

  std::string spell(Type type) { return getSourceTypeName(type); }

  //===--------------------------------------------------------------------===//
  // Symbols visible from this file: its own and those of its imports
  //===--------------------------------------------------------------------===//

  Operation *lookupSymbol(StringRef name);

  /// Names of the symbols visible from this file; `callables` keeps only tasks and flows.
  std::vector<std::string> visibleSymbols(bool callables);

  /// " (did you mean 'x'?)" for an unknown name: the closest variable in scope or visible
  /// symbol (`callables`: the closest task or flow).
  std::string suggestName(StringRef word, bool callables);

  LogicalResult checkNewSymbol(StringRef name, antlr4::ParserRuleContext *ctx);

  //===--------------------------------------------------------------------===//
  // Pass 1: declarations
  //===--------------------------------------------------------------------===//

  LogicalResult declare(MMLParser::TopDeclContext *decl);

  LogicalResult declareImport(MMLParser::ImportDeclContext *imp);

  /// Evaluates a literal expression (with unary minus, units, lists, fixed formats) to an
  /// attribute of `type` (or of its own type when `type` is null).
  FailureOr<Attribute> constant(MMLParser::ExprContext *expr, Type type);

  FailureOr<Attribute> coerceConstant(Attribute value, Type type);

  /// The attribute of a literal expression, or null if it is not one.
  Attribute literal(MMLParser::ExprContext *expr);

  Attribute integer(antlr4::Token *token);

  /// Unit literals are floats: times in ns, a frequency means its period in ns, % a fraction.
  Attribute quantity(MMLParser::QuantityLitContext *q);

  /// `fixed<16, 6, RND, SAT>` with constant arguments, or null if an argument is not constant.
  Attribute fixedLiteral(MMLParser::FixedLitContext *fx, bool reportErrors);

  LogicalResult fixedModes(MMLParser::FixedLitContext *fx, std::string &quantization,
                           std::string &overflow);

  /// Parameters of a task, flow or search header.
  FailureOr<ArrayAttr> paramList(MMLParser::ParamListContext *list);

  LogicalResult domain(MMLParser::DomainContext *ctx, Type type, Attribute &lower,
                       Attribute &upper, bool &lowerOpen, bool &upperOpen, ArrayAttr &choices);

  LogicalResult declareTask(MMLParser::TaskDeclContext *task);

  LogicalResult declareFlow(MMLParser::NameContext *nameCtx, MMLParser::ParamListContext *list,
                            MMLParser::TypeRefContext *resultCtx, antlr4::Token *doc,
                            antlr4::ParserRuleContext *decl);

  LogicalResult declareGlobal(MMLParser::GlobalDeclContext *global);

  //===--------------------------------------------------------------------===//
  // Pass 2: bodies
  //===--------------------------------------------------------------------===//

  LogicalResult define(MMLParser::TopDeclContext *decl);

  /// Binds flow parameters to the entry block arguments in a fresh variable scope.
  void bindParams(FlowOp flow, MMLParser::ParamListContext *list);

  LogicalResult defineFlow(FlowOp flow, MMLParser::ParamListContext *list,
                           const std::vector<MMLParser::StmtContext *> &stmts,
                           antlr4::ParserRuleContext *decl);

  LogicalResult defineGlobal(MMLParser::GlobalDeclContext *decl);

  LogicalResult defineCfg(MMLParser::CfgBlockContext *cfg);

  LogicalResult defineSearch(FlowOp flow, MMLParser::SearchDeclContext *search);

  //===--------------------------------------------------------------------===//
  // Variables and scopes
  //===--------------------------------------------------------------------===//

  struct Scope {
    explicit Scope(MLIRGenImpl &gen) : gen(gen) { gen.scopes.emplace_back(); }
    ~Scope() { gen.scopes.pop_back(); }
    MLIRGenImpl &gen;
  };

  Value *lookupVarSlot(StringRef name);
  Value lookupVar(StringRef name) {
    Value *slot = lookupVarSlot(name);
    return slot ? *slot : Value();
  }

  /// Snapshot of the variables a region may change, restored after generating it.
  using Snapshot = SmallVector<std::pair<std::string, Value>>;
  Snapshot snapshot(ArrayRef<std::string> names);
  void restore(const Snapshot &s) {
    for (auto &[n, v] : s)
      *lookupVarSlot(n) = v;
  }

  //===--------------------------------------------------------------------===//
  // Assignment analysis (which variables a block may or must assign)
  //===--------------------------------------------------------------------===//

  Assignments assignments(const std::vector<MMLParser::StmtContext *> &stmts);
  Assignments assignments(MMLParser::StmtContext *s);
  Assignments ifAssignments(MMLParser::BlockContext *thenBlock, MMLParser::ElseStmtContext *els);

  //===--------------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------------===//

  enum class StatementContext { FlowBody, Nested, ParallelBranch };

  LogicalResult statements(const std::vector<MMLParser::StmtContext *> &stmts,
                           StatementContext where);

  LogicalResult statement(MMLParser::StmtContext *s, StatementContext where);

  LogicalResult assignStmt(MMLParser::AssignStmtContext *assign, StatementContext where);

  /// Generates `if (cond) then else`, yielding the variables visible after it.
  LogicalResult ifStmt(MMLParser::ExprContext *condCtx, MMLParser::BlockContext *thenBlock,
                       MMLParser::ElseStmtContext *els, antlr4::ParserRuleContext *ctx);

  /// Outer variables a loop body assigns, in a stable order.
  std::vector<std::string> loopCarried(const std::vector<MMLParser::StmtContext *> &stmts,
                                       StringRef loopVar = "");

  std::optional<int64_t> loopBound(antlr4::Token *bound, antlr4::ParserRuleContext *ctx,
                                   bool required);

  LogicalResult whileStmt(MMLParser::WhileStmtContext *w);

  LogicalResult forStmt(MMLParser::ForStmtContext *f);

  Type typeOfConstant(Attribute a);

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  /// Converts `value` to `type` where the language allows it (int → float).
  FailureOr<Value> coerce(Value value, Type type, Location l);

  FailureOr<Value> condition(MMLParser::ExprContext *e, StringRef what);

  FailureOr<Value> numberAsFloat(MMLParser::ExprContext *e, StringRef what);

  Value constantValue(Attribute a, Location l);

  FailureOr<Value> expr(MMLParser::ExprContext *e);

  FailureOr<Value> exprImpl(MMLParser::ExprContext *e);

  FailureOr<Value> metric(MMLParser::MetricExprContext *m);

  FailureOr<Value> logicalNot(MMLParser::NotExprContext *n);

  FailureOr<Value> negate(MMLParser::NegExprContext *u);

  FailureOr<Value> arithmetic(MMLParser::ExprContext *lhsCtx, MMLParser::ExprContext *rhsCtx,
                              StringRef op, MMLParser::ExprContext *ctx);

  FailureOr<Value> compare(MMLParser::CompareExprContext *c);

  FailureOr<Value> logical(MMLParser::ExprContext *lhsCtx, MMLParser::ExprContext *rhsCtx,
                           bool isAnd, MMLParser::ExprContext *ctx);

  MMLParser::NameExprContext *asName(MMLParser::ExprContext *e) {
    auto *p = dynamic_cast<MMLParser::PrimaryExprContext *>(e);
    return p ? dynamic_cast<MMLParser::NameExprContext *>(p->primary()) : nullptr;
  }

  FailureOr<Value> primary(MMLParser::PrimaryContext *p);

  FailureOr<Value> name(MMLParser::NameExprContext *n);

  FailureOr<Value> fixed(MMLParser::FixedLitContext *fx);

  FailureOr<Value> call(MMLParser::CallExprContext *c);

  FailureOr<Value> parallel(MMLParser::ParallelExprContext *par);

  static constexpr unsigned kMaxExprDepth = 500;

  MLIRContext &context;
  OpBuilder builder;
  ModuleLoader &loader;
  std::string fileName;
  StringAttr fileAttr;
  OwningOpRef<ModuleOp> module;
  std::vector<ModuleOp> importedModules;
  std::vector<llvm::StringMap<Value>> scopes;
  llvm::DenseMap<antlr4::ParserRuleContext *, FlowOp> flows;
  llvm::DenseMap<antlr4::ParserRuleContext *, GlobalOp> globals;
  std::optional<std::pair<Value, Location>> returnValue;
  std::optional<std::pair<Value, Location>> branchYield;
  Value candidate; // the candidate inside `select`/`where`
  unsigned depth = 0;
};

} // namespace mml::mlirgen
