// mmlc-lsp's symbol index of one .mml file: declarations, variables with inferred types, every
// name occurrence resolved to its declaration, tokens. Built from ANTLR's error-recovering parse,
// so a file with errors still has one; imported files are indexed once and shared (IndexCache).
#ifndef MMLC_LSP_SYMBOLINDEX_H
#define MMLC_LSP_SYMBOLINDEX_H

#include "mml/FrontEnd/ImportSearch.h"

#include "mlir/Tools/lsp-server-support/Protocol.h"

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mml::lsp {
using mlir::lsp::Position;
using mlir::lsp::Range;

enum class SymbolKind { Task, Flow, Search, Global, Main, Param, SearchParam, Variable, LoopVar };

/// A declaration: a top-level callable or global, a parameter, or a variable of a body.
struct Symbol {
  SymbolKind kind;
  std::string name;
  std::string file;    ///< the declaring file's path
  Range range;         ///< the name
  Range fullRange;     ///< the whole declaration (callables: through the body)
  std::string type;    ///< result type of a callable; declared or inferred type of a value
  std::string doc;     ///< doc string, unquoted
  // Parameters (Param, SearchParam): `?`, default and domain as written.
  bool optional = false;
  std::string defaultText, domainText;
  // Callables: parameters in order; extern command; search strategy (`bayes(budget: 30)`).
  std::vector<const Symbol *> params;
  bool isExtern = false;
  std::string command, strategy;
  /// Values: the initialiser as written (globals, a variable's first assignment).
  std::string initText;
  /// The callable a parameter belongs to, or the body a variable lives in.
  const Symbol *parent = nullptr;

  bool isCallable() const {
    return kind == SymbolKind::Task || kind == SymbolKind::Flow || kind == SymbolKind::Search;
  }
  bool hasBody() const { return kind == SymbolKind::Flow || kind == SymbolKind::Search || kind == SymbolKind::Main; }
  /// `prune(m: dnn, d: data, tolerance: float = 2% in [0, 1]) -> dnn`
  std::string signature() const;
  /// `tolerance: float = 2% in [0, 1]`
  std::string paramLabel() const;
  /// "task", "flow", "search", "global", "parameter", "variable", ...
  const char *kindName() const;
};

/// A name in the text and the declaration it refers to.
struct Occurrence {
  enum Kind { Name, ArgName, CfgKey, Metric };
  Range range;
  const Symbol *symbol; ///< null for metrics (`receiverType` tells their level)
  Kind kind = Name;
  bool isDefinition = false;
  std::string text;         ///< the name as written
  std::string receiverType; ///< metrics: the type of the value before the `.`
};

struct Token {
  enum Kind { Word, Keyword, String, Number, Quantity, Punct, Other };
  Kind kind;
  std::string text;
  int line, col, endCol; ///< 0-based; tokens do not span lines
  Range range() const { return Range(Position(line, col), Position(line, endCol)); }
};

struct ImportInfo {
  std::string spec;     ///< as written, unquoted
  Range range;          ///< the string literal
  std::string resolved; ///< the file found, or empty
};

struct CfgKeyInfo {
  std::vector<std::string> parts; ///< `spq.prune.threshold` → spq, prune, threshold
  Range range;
};

class IndexCache;

class FileIndex {
public:
  std::string path;
  std::string text; ///< the source indexed
  std::deque<Symbol> symbols; ///< stable addresses: occurrences and other indexes point here
  std::vector<const Symbol *> topLevel;
  std::vector<Occurrence> occurrences; ///< in text order
  std::vector<Token> tokens;
  std::vector<ImportInfo> imports;
  std::vector<CfgKeyInfo> cfgKeys;
  std::vector<Range> cfgBlocks;
  /// Files imported directly (kept alive here), in import order.
  std::vector<std::shared_ptr<const FileIndex>> importedFiles;

  /// A top-level name of this file or, failing that, of its imports (transitively).
  const Symbol *lookup(llvm::StringRef name) const;
  /// Every top-level symbol visible in this file (its own first), each name once.
  std::vector<const Symbol *> visible() const;
  /// The occurrence whose range holds `pos` (its end included: the cursor after a name).
  const Occurrence *occurrenceAt(Position pos) const;
  /// The flow, search or main whose body holds `pos`, or null.
  const Symbol *bodyAt(Position pos) const;
  /// Parameters and variables of `body` declared before `pos` (all of them for a null pos).
  std::vector<const Symbol *> localsOf(const Symbol *body, const Position *before = nullptr) const;
  /// The index of the token holding `pos` or, between tokens, the last one before it; -1.
  int tokenBefore(Position pos) const;
  /// The token starting exactly at line/col (0-based), or null.
  const Token *tokenStartingAt(int line, int col) const;
  /// The type of the variable, parameter or global `name` as seen at `pos`; "" if unknown.
  std::string typeOfName(llvm::StringRef name, Position pos) const;
  /// Line `line` of the text (0-based), without its newline.
  llvm::StringRef lineText(int line) const;
};

/// Builds indexes: the open buffer's from its text, imported files' from the editor's unsaved
/// buffers or else from disk, cached by path and by modification time (disk) or text (buffers),
/// so that every keystroke re-reads only the buffer. A cached index is reused only while the
/// files it imports still give the indexes it was built with.
class IndexCache {
public:
  explicit IndexCache(FrontEndOptions options) : options(std::move(options)) {}
  /// Indexes `text` as the file `path` (imports resolved against its folder, -I and stdlib).
  std::shared_ptr<const FileIndex> indexBuffer(llvm::StringRef text, llvm::StringRef path);
  /// Indexes the file `path` (its unsaved buffer if open); null if it cannot be read.
  std::shared_ptr<const FileIndex> indexPath(const std::string &path);
  /// The editor's unsaved buffers, by real path (see FrontEndOptions::unsavedBuffers).
  void setUnsavedBuffers(std::shared_ptr<const std::map<std::string, std::string>> buffers) {
    options.unsavedBuffers = std::move(buffers);
  }
  const FrontEndOptions &getOptions() const { return options; }

private:
  /// Files already looked at in one indexBuffer/indexPath call: each is validated once.
  using Seen = std::map<std::string, std::shared_ptr<const FileIndex>>;
  std::shared_ptr<const FileIndex> indexFile(const std::string &path, std::vector<std::string> &loading,
                                             Seen &seen);
  std::shared_ptr<FileIndex> build(llvm::StringRef text, llvm::StringRef path,
                                   std::vector<std::string> &loading, Seen &seen,
                                   std::vector<std::pair<std::string, const FileIndex *>> *deps);
  struct Entry {
    bool unsaved;    ///< read from an editor buffer (stamp: its text's hash) or disk (mtime)
    uint64_t stamp;
    std::shared_ptr<const FileIndex> index;
    /// Every import looked up while indexing, with the index it gave (null: none or a cycle).
    std::vector<std::pair<std::string, const FileIndex *>> deps;
  };
  FrontEndOptions options;
  std::map<std::string, Entry> files;
};

/// `s` without its quotes, escapes resolved.
std::string unquote(llvm::StringRef s);

} // namespace mml::lsp

#endif
