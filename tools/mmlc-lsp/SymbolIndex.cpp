// Builds mmlc-lsp's symbol index from ANTLR's error-recovering parse tree: declarations, scoped
// variables with inferred types, name occurrences resolved to declarations, and the tokens.
#include "SymbolIndex.h"

#include "mml/FrontEnd/ParsedFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <set>

using namespace mml;
using namespace mml::lsp;
using namespace mmlgrammar;
using P = MMLParser;

//===----------------------------------------------------------------------===//
// Symbol
//===----------------------------------------------------------------------===//

const char *Symbol::kindName() const {
  switch (kind) {
  case SymbolKind::Task: return isExtern ? "extern task" : "task";
  case SymbolKind::Flow: return "flow";
  case SymbolKind::Search: return "search";
  case SymbolKind::Global: return "global";
  case SymbolKind::Main: return "main";
  case SymbolKind::Param: return "parameter";
  case SymbolKind::SearchParam: return "search parameter";
  case SymbolKind::Variable: return "variable";
  case SymbolKind::LoopVar: return "loop variable";
  }
  return "";
}

std::string Symbol::paramLabel() const {
  std::string s = name + ": " + (type.empty() ? "?" : type) + (optional ? "?" : "");
  if (!defaultText.empty())
    s += " = " + defaultText;
  if (!domainText.empty())
    s += " in " + domainText;
  return s;
}

std::string Symbol::signature() const {
  std::string s = name + "(";
  for (size_t i = 0; i < params.size(); ++i)
    s += (i ? ", " : "") + params[i]->paramLabel();
  s += ")";
  if (!type.empty())
    s += " -> " + type;
  return s;
}

std::string mml::lsp::unquote(llvm::StringRef raw) {
  std::string out;
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 2 < raw.size()) {
      char n = raw[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += c;
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// FileIndex queries
//===----------------------------------------------------------------------===//

const Symbol *FileIndex::lookup(llvm::StringRef name) const {
  std::vector<const FileIndex *> queue{this};
  std::set<const FileIndex *> seen{this};
  for (size_t i = 0; i < queue.size(); ++i) {
    for (const Symbol *s : queue[i]->topLevel)
      if (s->name == name && (i == 0 || s->kind != SymbolKind::Main))
        return s;
    for (const auto &imported : queue[i]->importedFiles)
      if (seen.insert(imported.get()).second)
        queue.push_back(imported.get());
  }
  return nullptr;
}

std::vector<const Symbol *> FileIndex::visible() const {
  std::vector<const Symbol *> out;
  std::set<std::string> names;
  std::vector<const FileIndex *> queue{this};
  std::set<const FileIndex *> seen{this};
  for (size_t i = 0; i < queue.size(); ++i) {
    for (const Symbol *s : queue[i]->topLevel)
      if (s->kind != SymbolKind::Main && names.insert(s->name).second)
        out.push_back(s);
    for (const auto &imported : queue[i]->importedFiles)
      if (seen.insert(imported.get()).second)
        queue.push_back(imported.get());
  }
  return out;
}

static bool holds(const Range &r, Position pos) { return r.start <= pos && pos <= r.end; }

const Occurrence *FileIndex::occurrenceAt(Position pos) const {
  const Occurrence *best = nullptr;
  for (const Occurrence &o : occurrences)
    if (holds(o.range, pos) && (!best || best->range.start < o.range.start))
      best = &o; // a name touching the cursor on its left wins over one ending there
  return best;
}

const Symbol *FileIndex::bodyAt(Position pos) const {
  for (const Symbol *s : topLevel)
    if (s->hasBody() && holds(s->fullRange, pos))
      return s;
  return nullptr;
}

std::vector<const Symbol *> FileIndex::localsOf(const Symbol *body, const Position *before) const {
  std::vector<const Symbol *> out;
  if (!body)
    return out;
  for (const Symbol &s : symbols)
    if (s.parent == body &&
        (s.kind == SymbolKind::Param || s.kind == SymbolKind::SearchParam || !before ||
         s.range.start < *before))
      out.push_back(&s);
  return out;
}

int FileIndex::tokenBefore(Position pos) const {
  // Tokens are in text order: the last one starting before the cursor.
  auto it = std::upper_bound(tokens.begin(), tokens.end(), pos, [](Position p, const Token &t) {
    return p < Position(t.line, t.col);
  });
  if (it == tokens.begin())
    return -1;
  return static_cast<int>(it - tokens.begin()) - 1;
}

const Token *FileIndex::tokenStartingAt(int line, int col) const {
  auto it = std::lower_bound(tokens.begin(), tokens.end(), Position(line, col),
                             [](const Token &t, Position p) { return Position(t.line, t.col) < p; });
  if (it != tokens.end() && it->line == line && it->col == col)
    return &*it;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Building an index
//===----------------------------------------------------------------------===//

namespace {

/// UTF-16 code units of UTF-8 text (LSP columns), without decoding errors.
int utf16Length(llvm::StringRef s) {
  int n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80)
      ++n;
    if ((c & 0xF8) == 0xF0)
      ++n; // a 4-byte sequence is a surrogate pair
  }
  return n;
}

class Builder {
public:
  Builder(FileIndex &index, antlr4::CharStream *input) : index(index), input(input) {}

  void run(P::ModuleContext *tree, const std::function<std::shared_ptr<const FileIndex>(
                                        const std::string &)> &loadImport,
           const FrontEndOptions &options) {
    // Pass 1: declarations and imports, so bodies may use names declared further down.
    for (P::TopDeclContext *decl : tree->topDecl()) {
      if (auto *imp = decl->importDecl())
        importDecl(imp, loadImport, options);
      else if (auto *g = decl->globalDecl())
        globalDecl(g);
      else if (auto *t = decl->taskDecl())
        taskDecl(t);
      else if (auto *f = decl->flowDecl())
        flowDecl(f);
      else if (auto *s = decl->searchDecl())
        searchDecl(s);
      else if (auto *m = decl->mainDecl())
        mainDecl(m);
    }
    // Pass 2: defaults, initialisers, bodies, cfg keys.
    for (auto &[decl, sym] : pending)
      define(decl, sym);
    for (P::TopDeclContext *decl : tree->topDecl())
      if (auto *cfg = decl->cfgBlock())
        cfgBlock(cfg);
    std::sort(index.occurrences.begin(), index.occurrences.end(),
              [](const Occurrence &a, const Occurrence &b) { return a.range.start < b.range.start; });
  }

private:
  // ---------------------------------------------------------------- positions and text

  Position start(antlr4::Token *t) {
    return Position(static_cast<int>(t->getLine()) - 1, static_cast<int>(t->getCharPositionInLine()));
  }
  Position end(antlr4::Token *t) {
    Position p = start(t);
    if (t->getType() != antlr4::Token::EOF)
      p.character += utf16Length(t->getText());
    return p;
  }
  Range range(antlr4::Token *t) { return Range(start(t), end(t)); }
  Range range(antlr4::ParserRuleContext *ctx) {
    antlr4::Token *a = ctx->getStart(), *b = ctx->getStop();
    if (!b || b->getTokenIndex() < a->getTokenIndex())
      return Range(start(a));
    return Range(start(a), end(b));
  }
  /// The text as written (with its spaces), or "" for a missing or empty context.
  std::string source(antlr4::ParserRuleContext *ctx) {
    if (!ctx)
      return "";
    antlr4::Token *a = ctx->getStart(), *b = ctx->getStop();
    if (!a || !b || b->getStopIndex() < a->getStartIndex() || a->getType() == antlr4::Token::EOF)
      return "";
    return input->getText(antlr4::misc::Interval(a->getStartIndex(), b->getStopIndex()));
  }
  static bool valid(antlr4::ParserRuleContext *ctx) {
    // Tokens ANTLR's recovery made up ("<missing ID>") have no index in the stream.
    return ctx && ctx->getStart() && ctx->getStart()->getType() != antlr4::Token::EOF &&
           ctx->getStart()->getTokenIndex() != INVALID_INDEX && !ctx->getText().empty();
  }
  static std::string typeText(P::TypeRefContext *t) {
    if (!t || !t->base)
      return "";
    return t->base->getText() + (t->listSuffix ? "[]" : "");
  }

  Symbol &add(SymbolKind kind, P::NameContext *name, antlr4::ParserRuleContext *decl) {
    Symbol &s = index.symbols.emplace_back();
    s.kind = kind;
    s.file = index.path;
    if (valid(name)) {
      s.name = name->getText();
      s.range = range(name);
    } else {
      s.range = Range(start(decl->getStart()));
    }
    s.fullRange = range(decl);
    return s;
  }
  void occurrence(const Range &r, const Symbol *sym, Occurrence::Kind kind, bool definition,
                  std::string text) {
    Occurrence o;
    o.range = r;
    o.symbol = sym;
    o.kind = kind;
    o.isDefinition = definition;
    o.text = std::move(text);
    index.occurrences.push_back(std::move(o));
  }
  void definition(const Symbol &s) {
    if (!s.name.empty())
      occurrence(s.range, &s, Occurrence::Name, true, s.name);
  }

  // ---------------------------------------------------------------- declarations

  void importDecl(P::ImportDeclContext *imp,
                  const std::function<std::shared_ptr<const FileIndex>(const std::string &)> &load,
                  const FrontEndOptions &options) {
    antlr4::tree::TerminalNode *str = imp->STRING();
    if (!str || str->getSymbol()->getTokenIndex() == static_cast<size_t>(-1))
      return;
    ImportInfo info;
    info.spec = unquote(str->getText());
    info.range = range(str->getSymbol());
    if (!info.spec.empty())
      info.resolved = resolveImportPath(info.spec, index.path, options);
    if (!info.resolved.empty())
      if (auto imported = load(info.resolved))
        index.importedFiles.push_back(std::move(imported));
    index.imports.push_back(std::move(info));
  }

  void globalDecl(P::GlobalDeclContext *g) {
    Symbol &s = add(SymbolKind::Global, g->name(), g);
    s.type = typeText(g->typeRef());
    s.initText = source(g->expr());
    topLevel(s);
    pending.emplace_back(g, &s);
  }

  void params(Symbol &callable, P::ParamListContext *list) {
    if (!list)
      return;
    for (P::ParamDeclContext *p : list->paramDecl()) {
      Symbol &ps = add(SymbolKind::Param, p->name(), p);
      ps.type = typeText(p->typeRef());
      ps.optional = p->optional != nullptr;
      ps.defaultText = source(p->defaultValue);
      ps.domainText = source(p->domain());
      if (p->doc)
        ps.doc = unquote(p->doc->getText());
      ps.parent = &callable;
      callable.params.push_back(&ps);
      definition(ps);
    }
  }

  void topLevel(Symbol &s) {
    index.topLevel.push_back(&s);
    definition(s);
  }

  void taskDecl(P::TaskDeclContext *t) {
    Symbol &s = add(SymbolKind::Task, t->name(), t);
    s.isExtern = t->ext != nullptr;
    s.type = typeText(t->typeRef());
    if (t->doc)
      s.doc = unquote(t->doc->getText());
    if (t->command)
      s.command = unquote(t->command->getText());
    topLevel(s);
    params(s, t->paramList());
    pending.emplace_back(t, &s);
  }

  void flowDecl(P::FlowDeclContext *f) {
    Symbol &s = add(SymbolKind::Flow, f->name(), f);
    s.type = typeText(f->typeRef());
    if (f->doc)
      s.doc = unquote(f->doc->getText());
    topLevel(s);
    params(s, f->paramList());
    pending.emplace_back(f, &s);
  }

  void searchDecl(P::SearchDeclContext *sd) {
    std::vector<P::NameContext *> names = sd->name();
    Symbol &s = add(SymbolKind::Search, names.empty() ? nullptr : names[0], sd);
    s.type = typeText(sd->typeRef());
    if (sd->doc)
      s.doc = unquote(sd->doc->getText());
    if (valid(sd->strategy)) {
      s.strategy = sd->strategy->getText();
      if (sd->argList())
        s.strategy += "(" + source(sd->argList()) + ")";
    }
    topLevel(s);
    params(s, sd->paramList());
    pending.emplace_back(sd, &s);
  }

  void mainDecl(P::MainDeclContext *m) {
    Symbol &s = index.symbols.emplace_back();
    s.kind = SymbolKind::Main;
    s.name = "main";
    s.file = index.path;
    s.range = range(m->getStart());
    s.fullRange = range(m);
    index.topLevel.push_back(&s);
    pending.emplace_back(m, &s);
  }

  // ---------------------------------------------------------------- pass 2

  void define(antlr4::ParserRuleContext *decl, Symbol *sym) {
    body = sym->hasBody() ? sym : nullptr;
    locals.clear();
    yieldType.clear();
    for (const Symbol *p : sym->params) {
      if (auto *pd = dynamic_cast<P::ParamDeclContext *>(paramContext(decl, p)))
        paramExprs(pd);
      if (body && !p->name.empty())
        locals[p->name] = p;
    }
    if (auto *g = dynamic_cast<P::GlobalDeclContext *>(decl)) {
      expr(g->expr());
    } else if (auto *f = dynamic_cast<P::FlowDeclContext *>(decl)) {
      block(f->block());
    } else if (auto *m = dynamic_cast<P::MainDeclContext *>(decl)) {
      block(m->block());
    } else if (auto *sd = dynamic_cast<P::SearchDeclContext *>(decl)) {
      if (sd->argList())
        for (P::ArgContext *a : sd->argList()->arg())
          expr(a->expr());
      for (P::SearchItemContext *item : sd->searchItem())
        searchItem(item, *sym);
    }
    body = nullptr;
  }

  /// The parameter declaration of `p` under `decl` (matched by position).
  antlr4::ParserRuleContext *paramContext(antlr4::ParserRuleContext *decl, const Symbol *p) {
    P::ParamListContext *list = nullptr;
    if (auto *t = dynamic_cast<P::TaskDeclContext *>(decl))
      list = t->paramList();
    else if (auto *f = dynamic_cast<P::FlowDeclContext *>(decl))
      list = f->paramList();
    else if (auto *s = dynamic_cast<P::SearchDeclContext *>(decl))
      list = s->paramList();
    if (!list)
      return nullptr;
    for (P::ParamDeclContext *pd : list->paramDecl())
      if (range(pd) == p->fullRange)
        return pd;
    return nullptr;
  }

  void paramExprs(P::ParamDeclContext *pd) {
    // Defaults and domains see the globals, not the other parameters.
    auto saved = std::move(locals);
    locals.clear();
    expr(pd->defaultValue);
    domain(pd->domain());
    locals = std::move(saved);
  }

  void domain(P::DomainContext *d) {
    if (!d)
      return;
    if (auto *r = dynamic_cast<P::RangeDomainContext *>(d)) {
      for (P::ExprContext *e : r->expr())
        expr(e);
    } else if (auto *s = dynamic_cast<P::SetDomainContext *>(d)) {
      for (P::ExprContext *e : s->expr())
        expr(e);
    }
  }

  void searchItem(P::SearchItemContext *item, Symbol &search) {
    if (auto *p = dynamic_cast<P::SearchParamContext *>(item)) {
      Symbol &s = add(SymbolKind::SearchParam, p->name(), p);
      s.type = typeText(p->typeRef());
      s.domainText = source(p->domain());
      if (p->scale)
        s.domainText += " log";
      s.parent = &search;
      definition(s);
      domain(p->domain());
      if (!s.name.empty())
        locals[s.name] = &s;
    } else if (auto *o = dynamic_cast<P::SearchObjectiveContext *>(item)) {
      for (P::ExprContext *e : o->expr())
        expr(e);
    } else if (auto *c = dynamic_cast<P::SearchConstraintContext *>(item)) {
      expr(c->expr());
    } else if (auto *st = dynamic_cast<P::SearchStmtContext *>(item)) {
      stmt(st->stmt());
    }
  }

  void cfgBlock(P::CfgBlockContext *cfg) {
    index.cfgBlocks.push_back(range(cfg));
    for (P::CfgEntryContext *entry : cfg->cfgEntry()) {
      expr(entry->expr());
      if (!entry->key)
        continue;
      CfgKeyInfo info;
      info.range = range(entry->key);
      const Symbol *callable = nullptr;
      std::vector<P::KeyPartContext *> parts = entry->key->keyPart();
      for (size_t i = 0; i < parts.size(); ++i) {
        P::NameContext *n = parts[i]->name();
        if (!valid(n))
          continue;
        std::string text = n->getText();
        info.parts.push_back(text);
        bool last = i + 1 == parts.size();
        if (i == 0 && text == "slurm")
          break; // executor site options, not a call path
        if (!last) {
          callable = index.lookup(text);
          if (callable && callable->isCallable())
            occurrence(range(n), callable, Occurrence::CfgKey, false, text);
          else
            callable = nullptr;
        } else if (callable) {
          for (const Symbol *p : callable->params)
            if (p->name == text)
              occurrence(range(n), p, Occurrence::CfgKey, false, text);
        }
      }
      index.cfgKeys.push_back(std::move(info));
    }
  }

  // ---------------------------------------------------------------- statements

  using Locals = std::map<std::string, const Symbol *>;

  /// Walks a block in its own scope; returns the variables it declared (for if/else merging).
  Locals block(P::BlockContext *b) {
    if (!b)
      return {};
    Locals before = locals;
    for (P::StmtContext *s : b->stmt())
      stmt(s);
    Locals added;
    for (auto &[name, sym] : locals)
      if (!before.count(name))
        added[name] = sym;
    locals = std::move(before);
    return added;
  }

  void stmt(P::StmtContext *s) {
    if (!s)
      return;
    if (auto *a = dynamic_cast<P::AssignStmtContext *>(s)) {
      std::string type = expr(a->expr());
      P::NameContext *n = a->name();
      if (!valid(n))
        return;
      std::string name = n->getText();
      auto it = locals.find(name);
      if (it != locals.end()) {
        occurrence(range(n), it->second, Occurrence::Name, false, name);
        return;
      }
      if (const Symbol *g = index.lookup(name); g && g->kind == SymbolKind::Global) {
        occurrence(range(n), g, Occurrence::Name, false, name); // an error the checker reports
        return;
      }
      Symbol &v = add(SymbolKind::Variable, n, a);
      v.type = type;
      v.initText = source(a->expr());
      v.parent = body;
      definition(v);
      locals[name] = &v;
    } else if (auto *i = dynamic_cast<P::IfStmtContext *>(s)) {
      ifChain(i->expr(), i->block(), i->elseStmt());
    } else if (auto *w = dynamic_cast<P::WhileStmtContext *>(s)) {
      expr(w->expr());
      block(w->block());
    } else if (auto *f = dynamic_cast<P::ForStmtContext *>(s)) {
      std::string elem;
      if (auto *lr = dynamic_cast<P::ListRangeContext *>(f->forRange())) {
        for (P::ExprContext *e : lr->expr()) {
          std::string t = expr(e);
          if (elem.empty())
            elem = t;
        }
      } else if (auto *ir = dynamic_cast<P::IntRangeContext *>(f->forRange())) {
        for (P::ExprContext *e : ir->expr())
          expr(e);
        elem = "int";
      }
      Locals before = locals;
      if (valid(f->name())) {
        Symbol &v = add(SymbolKind::LoopVar, f->name(), f);
        v.type = elem;
        v.parent = body;
        definition(v);
        locals[v.name] = &v;
      }
      block(f->block());
      locals = std::move(before);
    } else if (auto *r = dynamic_cast<P::ReturnStmtContext *>(s)) {
      expr(r->expr());
    } else if (auto *y = dynamic_cast<P::YieldStmtContext *>(s)) {
      std::string t = expr(y->expr());
      if (yieldType.empty())
        yieldType = t;
    } else if (auto *e = dynamic_cast<P::ExprStmtContext *>(s)) {
      expr(e->expr());
    }
  }

  /// `if (c) {..} else ...`: a variable new in every branch stays visible after it.
  Locals ifChain(P::ExprContext *cond, P::BlockContext *then, P::ElseStmtContext *els) {
    expr(cond);
    Locals thenAdded = block(then);
    if (!els)
      return {};
    Locals elseAdded = els->expr() || els->elseStmt() ? ifChain(els->expr(), els->block(), els->elseStmt())
                                                      : block(els->block());
    Locals both;
    for (auto &[name, sym] : thenAdded)
      if (elseAdded.count(name)) {
        both[name] = sym;
        locals[name] = sym;
      }
    return both;
  }

  // ---------------------------------------------------------------- expressions

  /// Walks an expression, recording occurrences; returns its type ("" when unknown).
  std::string expr(P::ExprContext *e) {
    if (!e || ++depth > 400) {
      if (e)
        --depth;
      return "";
    }
    std::string t = exprImpl(e);
    --depth;
    return t;
  }

  std::string exprImpl(P::ExprContext *e) {
    if (auto *p = dynamic_cast<P::PrimaryExprContext *>(e))
      return primary(p->primary());
    if (auto *m = dynamic_cast<P::MetricExprContext *>(e)) {
      std::string receiver = expr(m->expr());
      if (valid(m->name()))
        metricOccurrence(m->name(), receiver);
      return "float";
    }
    if (auto *n = dynamic_cast<P::NegExprContext *>(e))
      return expr(n->expr());
    if (auto *m = dynamic_cast<P::MulExprContext *>(e)) {
      std::vector<P::ExprContext *> xs = m->expr();
      std::string a = xs.size() > 0 ? expr(xs[0]) : "", b = xs.size() > 1 ? expr(xs[1]) : "";
      return m->op && m->op->getText() == "*" && a == "int" && b == "int" ? "int" : "float";
    }
    if (auto *ad = dynamic_cast<P::AddExprContext *>(e)) {
      std::vector<P::ExprContext *> xs = ad->expr();
      std::string a = xs.size() > 0 ? expr(xs[0]) : "", b = xs.size() > 1 ? expr(xs[1]) : "";
      return a == "int" && b == "int" ? "int" : "float";
    }
    for (antlr4::tree::ParseTree *child : e->children)
      if (auto *sub = dynamic_cast<P::ExprContext *>(child))
        expr(sub);
    return "bool"; // comparisons, not, and, or
  }

  void metricOccurrence(P::NameContext *n, const std::string &receiver) {
    Occurrence o;
    o.range = range(n);
    o.symbol = nullptr;
    o.kind = Occurrence::Metric;
    o.text = n->getText();
    o.receiverType = receiver;
    index.occurrences.push_back(std::move(o));
  }

  const Symbol *resolve(const std::string &name) {
    auto it = locals.find(name);
    if (it != locals.end())
      return it->second;
    const Symbol *s = index.lookup(name);
    return s && s->kind != SymbolKind::Main ? s : nullptr;
  }

  std::string primary(P::PrimaryContext *p) {
    if (!p)
      return "";
    if (dynamic_cast<P::QuantityLitContext *>(p) || dynamic_cast<P::FloatLitContext *>(p))
      return "float";
    if (dynamic_cast<P::IntLitContext *>(p))
      return "int";
    if (dynamic_cast<P::StringLitContext *>(p))
      return "string";
    if (dynamic_cast<P::BoolLitContext *>(p))
      return "bool";
    if (auto *fx = dynamic_cast<P::FixedLitContext *>(p)) {
      for (P::FixedArgContext *a : fx->fixedArg()) {
        if (a->expr())
          expr(a->expr());
        else if (valid(a->name()))
          nameUse(a->name());
      }
      return "fixed";
    }
    if (auto *c = dynamic_cast<P::CallExprContext *>(p))
      return call(c);
    if (auto *n = dynamic_cast<P::NameExprContext *>(p)) {
      if (!valid(n->name()))
        return "";
      const Symbol *s = nameUse(n->name());
      if (!s && inSelect && !yieldType.empty())
        metricOccurrence(n->name(), yieldType); // a bare metric of the candidate
      return s && !s->isCallable() ? s->type : "";
    }
    if (auto *par = dynamic_cast<P::ParenExprContext *>(p))
      return expr(par->expr());
    if (auto *l = dynamic_cast<P::ListLitContext *>(p)) {
      std::string elem;
      for (P::ExprContext *e : l->expr()) {
        std::string t = expr(e);
        if (elem.empty() || (elem == "int" && t == "float"))
          elem = t;
      }
      return elem.empty() ? "" : elem + "[]";
    }
    if (auto *par = dynamic_cast<P::ParallelExprContext *>(p)) {
      std::string saved = yieldType;
      yieldType.clear();
      for (P::BranchContext *b : par->branch())
        block(b->block());
      std::string result = yieldType;
      inSelect = true;
      expr(par->objective);
      expr(par->constraint);
      inSelect = false;
      yieldType = saved;
      return result;
    }
    return "";
  }

  const Symbol *nameUse(P::NameContext *n) {
    std::string name = n->getText();
    const Symbol *s = resolve(name);
    if (s)
      occurrence(range(n), s, Occurrence::Name, false, name);
    return s;
  }

  std::string call(P::CallExprContext *c) {
    const Symbol *callee = nullptr;
    if (valid(c->name())) {
      std::string name = c->name()->getText();
      callee = index.lookup(name);
      if (callee && !callee->isCallable())
        callee = nullptr;
      if (callee)
        occurrence(range(c->name()), callee, Occurrence::Name, false, name);
    }
    if (c->argList())
      for (P::ArgContext *a : c->argList()->arg()) {
        if (valid(a->name()) && callee) {
          std::string argName = a->name()->getText();
          for (const Symbol *p : callee->params)
            if (p->name == argName)
              occurrence(range(a->name()), p, Occurrence::ArgName, false, argName);
        }
        expr(a->expr());
      }
    return callee ? callee->type : "";
  }

  FileIndex &index;
  antlr4::CharStream *input;
  std::vector<std::pair<antlr4::ParserRuleContext *, Symbol *>> pending;
  const Symbol *body = nullptr;
  Locals locals;
  std::string yieldType;
  bool inSelect = false;
  unsigned depth = 0;
};

Token::Kind tokenKind(antlr4::Token *t) {
  switch (t->getType()) {
  case MMLLexer::ID: return Token::Word;
  case MMLLexer::STRING: return Token::String;
  case MMLLexer::INT:
  case MMLLexer::FLOAT: return Token::Number;
  case MMLLexer::QUANTITY:
  case MMLLexer::BAD_QUANTITY: return Token::Quantity;
  case MMLLexer::UNKNOWN_CHAR: return Token::Other;
  default: break;
  }
  std::string text = t->getText();
  return !text.empty() && llvm::isAlpha(text[0]) ? Token::Keyword : Token::Punct;
}

} // namespace

//===----------------------------------------------------------------------===//
// IndexCache
//===----------------------------------------------------------------------===//

std::shared_ptr<FileIndex>
IndexCache::build(llvm::StringRef text, llvm::StringRef path, std::vector<std::string> &loading, Seen &seen,
                  std::vector<std::pair<std::string, const FileIndex *>> *deps) {
  auto index = std::make_shared<FileIndex>();
  index->path = path.str();
  index->text = text.str();
  // Bytes that are not UTF-8 would stop ANTLR; blanks keep every other position.
  std::string clean = text.str();
  for (size_t i = 0; i < clean.size();) {
    const auto *p = reinterpret_cast<const llvm::UTF8 *>(clean.data() + i);
    unsigned len = llvm::getNumBytesForUTF8(*p);
    if (i + len > clean.size() || !llvm::isLegalUTF8Sequence(p, p + len)) {
      clean[i++] = ' ';
      continue;
    }
    i += len;
  }
  std::unique_ptr<ParsedFile> parsed = parseMML(clean, [](const SyntaxError &) {}, /*recover=*/true);
  if (!parsed->tokens)
    return index;
  for (antlr4::Token *t : parsed->tokens->getTokens()) {
    if (t->getType() == antlr4::Token::EOF)
      continue;
    Token tok;
    tok.kind = tokenKind(t);
    tok.text = t->getText();
    tok.line = static_cast<int>(t->getLine()) - 1;
    tok.col = static_cast<int>(t->getCharPositionInLine());
    tok.endCol = tok.col + utf16Length(tok.text);
    index->tokens.push_back(std::move(tok));
  }
  if (!parsed->tree)
    return index;
  loading.push_back(index->path);
  Builder builder(*index, parsed->input.get());
  builder.run(
      parsed->tree,
      [&](const std::string &resolved) -> std::shared_ptr<const FileIndex> {
        std::shared_ptr<const FileIndex> imported;
        if (std::find(loading.begin(), loading.end(), resolved) == loading.end())
          imported = indexFile(resolved, loading, seen); // else an import cycle: the checker reports it
        if (deps)
          deps->emplace_back(resolved, imported.get());
        return imported;
      },
      options);
  loading.pop_back();
  return index;
}

std::shared_ptr<const FileIndex> IndexCache::indexFile(const std::string &path,
                                                       std::vector<std::string> &loading, Seen &seen) {
  if (auto done = seen.find(path); done != seen.end())
    return done->second;
  if (loading.size() > 64)
    return nullptr;
  // Where the text comes from: the editor's unsaved buffer, else the disk.
  const std::string *unsaved = options.unsavedText(path);
  uint64_t stamp;
  if (unsaved) {
    stamp = llvm::xxh3_64bits(*unsaved);
  } else {
    llvm::sys::fs::file_status status;
    if (llvm::sys::fs::status(path, status))
      return seen[path] = nullptr;
    stamp = static_cast<uint64_t>(status.getLastModificationTime().time_since_epoch().count());
  }
  auto it = files.find(path);
  if (it != files.end() && it->second.unsaved == (unsaved != nullptr) && it->second.stamp == stamp) {
    // Still current if every import still gives the index it was built with.
    loading.push_back(path);
    bool current = true;
    for (const auto &[dep, depIndex] : it->second.deps) {
      bool cycle = std::find(loading.begin(), loading.end(), dep) != loading.end();
      if ((cycle ? nullptr : indexFile(dep, loading, seen).get()) != depIndex) {
        current = false;
        break;
      }
    }
    loading.pop_back();
    if (current)
      return seen[path] = it->second.index;
  }
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  if (!unsaved) {
    auto read = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!read)
      return seen[path] = nullptr;
    buffer = std::move(*read);
  }
  std::vector<std::pair<std::string, const FileIndex *>> deps;
  std::shared_ptr<const FileIndex> index =
      build(unsaved ? llvm::StringRef(*unsaved) : buffer->getBuffer(), path, loading, seen, &deps);
  files[path] = Entry{unsaved != nullptr, stamp, index, std::move(deps)};
  return seen[path] = index;
}

std::shared_ptr<const FileIndex> IndexCache::indexBuffer(llvm::StringRef text, llvm::StringRef path) {
  std::vector<std::string> loading;
  Seen seen;
  return build(text, path, loading, seen, nullptr);
}

std::shared_ptr<const FileIndex> IndexCache::indexPath(const std::string &path) {
  std::vector<std::string> loading;
  Seen seen;
  return indexFile(path, loading, seen);
}

std::string FileIndex::typeOfName(llvm::StringRef name, Position pos) const {
  const Symbol *best = nullptr;
  for (const Symbol *s : localsOf(bodyAt(pos), &pos))
    if (s->name == name)
      best = s; // the latest declaration before the cursor
  if (!best)
    best = lookup(name);
  if (!best || best->isCallable() || best->kind == SymbolKind::Main)
    return "";
  return best->type;
}

llvm::StringRef FileIndex::lineText(int line) const {
  llvm::StringRef rest = text;
  for (int i = 0; i < line && !rest.empty(); ++i)
    rest = rest.split('\n').second;
  return rest.split('\n').first.rtrim('\r');
}
