// Reads the cursor's context from the token stream, which stays meaningful where the parse tree
// does not (a half-typed call, an unterminated string, a dangling `.`).
#include "CursorContext.h"

using namespace mml::lsp;

namespace {

bool isWord(const Token &t) { return t.kind == Token::Word || t.kind == Token::Keyword; }
bool is(const std::vector<Token> &ts, int i, llvm::StringRef text) {
  return i >= 0 && i < static_cast<int>(ts.size()) && ts[i].text == text;
}

/// Scans back from token `last` for the `(` of an unclosed call at statement level.
std::optional<CallSite> enclosingCall(const FileIndex &index, int last) {
  const std::vector<Token> &ts = index.tokens;
  int depth = 0;
  CallSite site;
  int commas = 0;
  std::vector<int> argStarts; // token index after each `(`/`,` at depth 0, right to left
  for (int i = last; i >= 0; --i) {
    const std::string &t = ts[i].text;
    if (t == ")" || t == "]" || (t == "}" && depth > 0)) {
      ++depth;
    } else if ((t == "[" || t == "{") && depth > 0) {
      --depth;
    } else if (t == "(" && depth > 0) {
      --depth;
    } else if (depth == 0 && (t == ";" || t == "{" || t == "}" || t == "[")) {
      if (t == "[") {
        // Inside a list literal argument: its commas are not the call's; keep looking.
        commas = 0;
        argStarts.clear();
        continue;
      }
      return std::nullopt;
    } else if (depth == 0 && t == ",") {
      ++commas;
      argStarts.push_back(i + 1);
    } else if (depth == 0 && t == "(") {
      if (i == 0 || !isWord(ts[i - 1]))
        return std::nullopt; // a parenthesised expression
      if (i >= 2 && (ts[i - 2].text == "task" || ts[i - 2].text == "flow" || ts[i - 2].text == "search"))
        return std::nullopt; // a declaration's parameter list
      argStarts.push_back(i + 1);
      site.name = ts[i - 1].text;
      site.argIndex = commas;
      const Symbol *s = index.lookup(site.name);
      site.callee = s && s->isCallable() ? s : nullptr;
      // Arguments before the cursor's: named or positional.
      std::reverse(argStarts.begin(), argStarts.end());
      for (size_t a = 0; a < argStarts.size(); ++a) {
        int k = argStarts[a];
        bool named = k + 1 <= last && isWord(ts[k]) && is(ts, k + 1, ":");
        if (a + 1 == argStarts.size()) {
          if (named)
            site.currentName = ts[k].text;
          site.atArgStart = k > last || (k == last && isWord(ts[k]));
        } else if (named) {
          site.named.push_back(ts[k].text);
        } else {
          ++site.positionalBefore;
        }
      }
      // Names given after the cursor count too (`prune(m, |, tolerance: 1%)`).
      int d = 0;
      for (int k = last + 1; k < static_cast<int>(ts.size()); ++k) {
        const std::string &u = ts[k].text;
        if (u == "(" || u == "[" || u == "{")
          ++d;
        else if (u == ")" || u == "]" || u == "}") {
          if (d-- == 0)
            break;
        } else if (u == ";")
          break;
        else if (d == 0 && isWord(ts[k]) && is(ts, k + 1, ":") && (is(ts, k - 1, ",") || is(ts, k - 1, "(")))
          site.named.push_back(u);
      }
      return site;
    }
  }
  return std::nullopt;
}

/// Whether token `last` is in the parameter list of a task, flow or search header.
bool inDeclarationParams(const std::vector<Token> &ts, int last) {
  int depth = 0;
  for (int i = last; i >= 0; --i) {
    const std::string &t = ts[i].text;
    if (t == ")" || t == "]")
      ++depth;
    else if ((t == "(" || t == "[") && depth > 0)
      --depth;
    else if (t == "(")
      return i >= 2 && (ts[i - 2].text == "task" || ts[i - 2].text == "flow" || ts[i - 2].text == "search");
    else if (t == ";" || t == "{" || t == "}")
      return false;
  }
  return false;
}

bool inside(const Range &r, Position p) { return r.start <= p && p <= r.end; }

} // namespace

std::optional<CallSite> mml::lsp::callAt(const FileIndex &index, Position pos) {
  int i = index.tokenBefore(pos);
  if (i < 0)
    return std::nullopt;
  // A cursor inside a token belongs to the argument that token starts.
  if (pos < Position(index.tokens[i].line, index.tokens[i].endCol) && index.tokens[i].text == "(")
    --i;
  return enclosingCall(index, i);
}

CursorContext mml::lsp::analyzeCursor(const FileIndex &index, Position pos) {
  CursorContext ctx;
  ctx.replace = Range(pos);
  ctx.body = index.bodyAt(pos);
  const std::vector<Token> &ts = index.tokens;
  llvm::StringRef line = index.lineText(pos.line);

  // Comments are not tokens: a `//` before the cursor on its line, outside strings.
  {
    bool inString = false;
    for (int c = 0; c + 1 < static_cast<int>(line.size()) && c < pos.character; ++c) {
      if (line[c] == '"' && (c == 0 || line[c - 1] != '\\'))
        inString = !inString;
      if (!inString && line[c] == '/' && line[c + 1] == '/') {
        ctx.kind = CursorContext::Comment;
        return ctx;
      }
    }
  }

  int i = index.tokenBefore(pos);
  const Token *tok = i >= 0 ? &ts[i] : nullptr;
  bool within = tok && tok->line == pos.line && tok->col < pos.character && pos.character <= tok->endCol;

  // Inside a string literal, or after an unterminated quote (lexed as an unknown character).
  bool inString = false;
  int quoteCol = -1;
  if (tok && tok->line == pos.line && tok->kind == Token::String && tok->col < pos.character &&
      pos.character < tok->endCol) {
    inString = true;
    quoteCol = tok->col;
  } else if (tok && tok->line == pos.line) {
    for (int k = i; k >= 0 && ts[k].line == pos.line; --k)
      if (ts[k].kind == Token::Other && ts[k].text == "\"") {
        inString = true;
        quoteCol = ts[k].col;
        i = k; // the string starts here
        break;
      }
  }
  if (inString) {
    int from = quoteCol + 1;
    ctx.prefix = line.substr(from, std::max(0, pos.character - from)).str();
    ctx.replace = Range(Position(pos.line, from), pos);
    int before = tok && tok->kind == Token::String ? i - 1 : i - 1;
    if (is(ts, before, "import")) {
      ctx.kind = CursorContext::ImportPath;
      return ctx;
    }
    ctx.kind = CursorContext::String;
    ctx.call = enclosingCall(index, before);
    if (ctx.call && ctx.call->name == "part" &&
        ((ctx.call->currentName.empty() && ctx.call->positionalBefore == 0 && ctx.call->argIndex == 0) ||
         ctx.call->currentName == "name"))
      ctx.kind = CursorContext::PartName;
    return ctx;
  }

  // The word being typed.
  int last = i;
  if (within && isWord(*tok)) {
    ctx.prefix = tok->text.substr(0, pos.character - tok->col);
    ctx.replace = Range(Position(pos.line, tok->col), pos);
    last = i - 1;
  } else if (tok && pos < Position(tok->line, tok->endCol)) {
    last = i - 1; // the cursor sits inside punctuation: context is what precedes it
  }

  // cfg keys: the cursor in a cfg block, before the entry's `=`.
  for (const Range &block : index.cfgBlocks)
    if (inside(block, pos)) {
      std::vector<std::string> parts;
      bool key = true;
      for (int k = last; k >= 0; --k) {
        const std::string &t = ts[k].text;
        if (t == ";" || t == "{")
          break;
        if (t == "=") {
          key = false;
          break;
        }
        if (isWord(ts[k]))
          parts.insert(parts.begin(), t);
      }
      if (key) {
        ctx.kind = CursorContext::CfgKey;
        ctx.cfgParts = std::move(parts);
        return ctx;
      }
    }

  // `x.` / `f(...).`: metrics of the value before the dot.
  if (is(ts, last, ".") && last > 0) {
    ctx.kind = CursorContext::Metric;
    const Token &r = ts[last - 1];
    if (isWord(r)) {
      ctx.receiverType = index.typeOfName(r.text, Position(r.line, r.col));
    } else if (r.text == ")") {
      int depth = 0;
      for (int k = last - 1; k >= 0; --k) {
        if (ts[k].text == ")")
          ++depth;
        else if (ts[k].text == "(" && --depth == 0) {
          if (k > 0 && isWord(ts[k - 1]))
            if (const Symbol *s = index.lookup(ts[k - 1].text); s && s->isCallable())
              ctx.receiverType = s->type;
          break;
        }
      }
    }
    return ctx;
  }

  // Types: after `->`, after `name:` in a declaration's parameter list, after `param x:`.
  if (is(ts, last, "->") ||
      (is(ts, last, ":") && last >= 2 && is(ts, last - 2, "param"))) {
    ctx.kind = CursorContext::TypeName;
    return ctx;
  }
  if (is(ts, last, ":") && inDeclarationParams(ts, last)) {
    ctx.kind = CursorContext::TypeName;
    return ctx;
  }

  ctx.call = enclosingCall(index, last);
  return ctx;
}
