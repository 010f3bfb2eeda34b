// mmlc-lsp's server glue: registers the LSP methods with MLIR's message handler, keeps the open
// documents (text, index; their unsaved text is what their importers see) and publishes
// diagnostics on open and, debounced, after changes (of the document or of an open import).
#include "LSPServer.h"
#include "Checker.h"
#include "Features.h"
#include "SymbolIndex.h"
#include "Workspace.h"

#include "mlir/Tools/lsp-server-support/Logging.h"
#include "mlir/Tools/lsp-server-support/Transport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/thread.h"

#include <cassert>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>

using namespace mml;
using namespace mml::lsp;
namespace proto = mlir::lsp;
using proto::Callback;

namespace {

/// initialize's parameters with the workspace roots MLIR's InitializeParams leaves out.
struct InitializeRequest {
  proto::InitializeParams base;
  std::vector<std::string> roots; ///< folders, from workspaceFolders, else rootUri, else rootPath
};

bool fromJSON(const llvm::json::Value &value, InitializeRequest &result, llvm::json::Path path) {
  if (!proto::fromJSON(value, result.base, path))
    return false;
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return true;
  auto addUri = [&](std::optional<llvm::StringRef> uri) {
    if (!uri)
      return;
    llvm::Expected<proto::URIForFile> file = proto::URIForFile::fromURI(*uri);
    if (file)
      result.roots.push_back(file->file().str());
    else
      llvm::consumeError(file.takeError()); // not a file: URI (a remote or virtual workspace)
  };
  if (const llvm::json::Array *folders = object->getArray("workspaceFolders"))
    for (const llvm::json::Value &folder : *folders)
      if (const llvm::json::Object *f = folder.getAsObject())
        addUri(f->getString("uri"));
  if (result.roots.empty())
    addUri(object->getString("rootUri"));
  if (result.roots.empty())
    if (std::optional<llvm::StringRef> rootPath = object->getString("rootPath"))
      result.roots.push_back(rootPath->str());
  return true;
}

/// The real path of a document's file (symlinks resolved, as imports resolve), else the path.
std::string realPathOf(llvm::StringRef file) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(file, real))
    return file.str();
  return std::string(real);
}

struct Document {
  proto::URIForFile uri;
  std::string path; ///< the real path: the index's and the checker's name for the buffer
  int64_t version = 0;
  std::string text;
  /// Rebuilt before a request reads it once the text or an open import changed (`stale`).
  std::shared_ptr<const FileIndex> index;
  bool stale = true;
  /// Bumped whenever the diagnostics must be recomputed (its text or an open import changed);
  /// a check is published once per generation, for the text of that moment.
  uint64_t generation = 0, publishedGeneration = 0;
};

class Server {
public:
  Server(proto::JSONTransport &transport, FrontEndOptions options, std::chrono::milliseconds debounce)
      : handler(transport), cache(options), debounce(debounce) {
    handler.method("initialize", this, &Server::onInitialize);
    handler.notification("initialized", this, &Server::onInitialized);
    handler.method("shutdown", this, &Server::onShutdown);
    handler.notification("textDocument/didOpen", this, &Server::onDidOpen);
    handler.notification("textDocument/didChange", this, &Server::onDidChange);
    handler.notification("textDocument/didClose", this, &Server::onDidClose);
    handler.notification("textDocument/didSave", this, &Server::onDidSave);
    handler.notification("workspace/didChangeWatchedFiles", this, &Server::onWatchedFilesChanged);
    handler.method("textDocument/hover", this, &Server::onHover);
    handler.method("textDocument/completion", this, &Server::onCompletion);
    handler.method("textDocument/signatureHelp", this, &Server::onSignatureHelp);
    handler.method("textDocument/definition", this, &Server::onDefinition);
    handler.method("textDocument/references", this, &Server::onReferences);
    handler.method("textDocument/documentSymbol", this, &Server::onDocumentSymbol);
    publishDiagnostics =
        handler.outgoingNotification<proto::PublishDiagnosticsParams>("textDocument/publishDiagnostics");
    if (debounce.count() > 0)
      // Checks run here, off the thread reading requests; the parser recurses: a large stack.
      checker = std::make_unique<llvm::thread>(std::optional<unsigned>(256u << 20), [this] { checkLoop(); });
  }

  ~Server() {
    if (!checker)
      return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wakeChecker.notify_all();
    checker->join();
  }

  proto::MessageHandler handler;

private:
  void onInitialize(const InitializeRequest &params, Callback<llvm::json::Value> reply) {
    std::lock_guard<std::mutex> lock(mutex);
    hierarchicalSymbols = params.base.capabilities.hierarchicalDocumentSymbol;
    for (const std::string &root : params.roots)
      workspace.addRoot(root);
    llvm::json::Object capabilities{
        {"textDocumentSync",
         llvm::json::Object{{"openClose", true},
                            {"change", static_cast<int>(proto::TextDocumentSyncKind::Incremental)},
                            {"save", true}}},
        {"completionProvider",
         llvm::json::Object{{"resolveProvider", false},
                            {"triggerCharacters", llvm::json::Array{".", "(", ",", "\"", "/"}}}},
        {"signatureHelpProvider", llvm::json::Object{{"triggerCharacters", llvm::json::Array{"(", ","}}}},
        {"hoverProvider", true},
        {"definitionProvider", true},
        {"referencesProvider", true},
        {"documentSymbolProvider", true},
    };
    reply(llvm::json::Object{{"capabilities", std::move(capabilities)},
                             {"serverInfo", llvm::json::Object{{"name", "mmlc-lsp"}, {"version", MMLC_VERSION}}}});
  }
  void onInitialized(const proto::InitializedParams &) {}

  /// Diagnostics still waiting for their debounce are published now (for the latest text):
  /// the client is about to go, and what it saw last must not be a stale version.
  void onShutdown(const proto::NoParams &, Callback<std::nullptr_t> reply) {
    std::unique_lock<std::mutex> lock(mutex);
    std::map<std::string, Clock::time_point> due;
    due.swap(pending);
    for (auto &[path, when] : due)
      if (auto it = documents.find(path); it != documents.end())
        checkAndPublish(it->second, lock);
    reply(nullptr);
  }

  // ---------------------------------------------------------------- documents

  void onDidOpen(const proto::DidOpenTextDocumentParams &params) {
    std::unique_lock<std::mutex> lock(mutex);
    std::string file = params.textDocument.uri.file().str();
    Document &doc = documents[file];
    doc.uri = params.textDocument.uri;
    doc.path = realPathOf(file);
    doc.version = params.textDocument.version;
    doc.text = params.textDocument.text;
    textChanged(doc, lock, /*now=*/true);
  }

  void onDidChange(const proto::DidChangeTextDocumentParams &params) {
    std::unique_lock<std::mutex> lock(mutex);
    auto it = documents.find(params.textDocument.uri.file().str());
    if (it == documents.end())
      return;
    Document &doc = it->second;
    if (mlir::failed(proto::TextDocumentContentChangeEvent::applyTo(params.contentChanges, doc.text))) {
      proto::Logger::error("failed to apply a change to '{0}'", params.textDocument.uri.file());
      return;
    }
    doc.version = params.textDocument.version;
    textChanged(doc, lock, /*now=*/false);
  }

  void onDidSave(const proto::DidCloseTextDocumentParams &) {
    // Files that import the saved one see its new text on their next check; re-check them now.
    std::unique_lock<std::mutex> lock(mutex);
    recheckAll(lock);
  }

  /// An imported file changed on disk (the editor watches `**/*.mml`): re-check everything open.
  void onWatchedFilesChanged(const proto::NoParams &) {
    std::unique_lock<std::mutex> lock(mutex);
    recheckAll(lock);
  }

  void onDidClose(const proto::DidCloseTextDocumentParams &params) {
    std::unique_lock<std::mutex> lock(mutex);
    auto it = documents.find(params.textDocument.uri.file().str());
    if (it == documents.end())
      return;
    proto::PublishDiagnosticsParams cleared(it->second.uri, it->second.version);
    std::string path = it->second.path;
    pending.erase(it->first);
    documents.erase(it);
    publishDiagnostics(cleared);
    // Its importers read the file from disk again.
    refreshUnsavedBuffers();
    recheckImporters(path, lock);
  }

  // ---------------------------------------------------------------- diagnostics

  using Clock = std::chrono::steady_clock;

  /// `doc`'s text changed: its importers' views of it too.
  void textChanged(Document &doc, std::unique_lock<std::mutex> &lock, bool now) {
    doc.stale = true;
    refreshUnsavedBuffers();
    requestCheck(doc, lock, now);
    recheckImporters(doc.path, lock, &doc);
  }

  /// The index and the checker read the open documents' texts instead of their files.
  void refreshUnsavedBuffers() {
    auto buffers = std::make_shared<std::map<std::string, std::string>>();
    for (auto &[file, doc] : documents)
      (*buffers)[doc.path] = doc.text;
    cache.setUnsavedBuffers(std::move(buffers));
  }

  /// What `path` holds changed (edited, opened or closed): the open documents importing it,
  /// directly or not, are re-indexed and re-checked.
  void recheckImporters(const std::string &path, std::unique_lock<std::mutex> &lock,
                        const Document *changed = nullptr) {
    for (auto &[file, doc] : documents)
      if (&doc != changed && doc.index && imports(*doc.index, path)) {
        doc.stale = true;
        requestCheck(doc, lock, /*now=*/false);
      }
  }

  /// Whether `index` imports `path`, directly or through other imports.
  static bool imports(const FileIndex &index, const std::string &path) {
    std::set<const FileIndex *> seen;
    std::function<bool(const FileIndex &)> walk = [&](const FileIndex &file) {
      for (const ImportInfo &imp : file.imports)
        if (imp.resolved == path)
          return true;
      for (const auto &imported : file.importedFiles)
        if (seen.insert(imported.get()).second && walk(*imported))
          return true;
      return false;
    };
    return walk(index);
  }

  void recheckAll(std::unique_lock<std::mutex> &lock) {
    for (auto &[path, doc] : documents) {
      doc.stale = true;
      requestCheck(doc, lock, /*now=*/true);
    }
  }

  /// Diagnostics of `doc` are due: now (no debounce, as in lit tests and as MLIR's servers do),
  /// or once its text has been left alone for the debounce delay (`now`: on open and on save).
  void requestCheck(Document &doc, std::unique_lock<std::mutex> &lock, bool now) {
    ++doc.generation;
    if (!checker)
      return checkAndPublish(doc, lock);
    pending[doc.uri.file().str()] = Clock::now() + (now ? Clock::duration::zero() : debounce);
    wakeChecker.notify_all();
  }

  /// The document's index, rebuilt from its latest text if that changed (or an open import did).
  const FileIndex &freshIndex(Document &doc) {
    if (doc.stale || !doc.index) {
      doc.index = cache.indexBuffer(doc.text, doc.path);
      doc.stale = false;
    }
    return *doc.index;
  }

  /// Checks `doc`'s latest text and publishes the diagnostics, unless they were published
  /// already. The lock stays held: parsers of Debian's ANTLR 4.9 runtime share static DFA caches
  /// and are not known to be safe in parallel, so a request arriving meanwhile waits for the
  /// check (tens of milliseconds).
  void checkAndPublish(Document &doc, std::unique_lock<std::mutex> &lock) {
    assert(lock.owns_lock() && "checks run under the server's lock");
    (void)lock;
    if (doc.publishedGeneration == doc.generation)
      return;
    const FileIndex &index = freshIndex(doc);
    proto::PublishDiagnosticsParams params(doc.uri, doc.version);
    params.diagnostics = checkBuffer(index, doc.uri, cache.getOptions());
    doc.publishedGeneration = doc.generation;
    publishDiagnostics(params);
  }

  /// The checker thread: runs each document's check once its debounce delay has passed.
  void checkLoop() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
      if (pending.empty()) {
        wakeChecker.wait(lock);
        continue;
      }
      auto next = std::min_element(pending.begin(), pending.end(),
                                   [](const auto &a, const auto &b) { return a.second < b.second; });
      if (next->second > Clock::now()) {
        wakeChecker.wait_until(lock, next->second);
        continue; // a change may have moved the deadline
      }
      std::string file = next->first;
      pending.erase(next);
      if (auto it = documents.find(file); it != documents.end())
        checkAndPublish(it->second, lock);
    }
  }

  Document *find(const proto::URIForFile &uri) {
    auto it = documents.find(uri.file().str());
    if (it == documents.end())
      return nullptr;
    freshIndex(it->second); // requests always see the latest text
    return &it->second;
  }

  // ---------------------------------------------------------------- features

  void onHover(const proto::TextDocumentPositionParams &params,
               Callback<std::optional<proto::Hover>> reply) {
    std::lock_guard<std::mutex> lock(mutex);
    const Document *doc = find(params.textDocument.uri);
    reply(doc ? hover(*doc->index, params.position) : std::nullopt);
  }

  void onCompletion(const proto::CompletionParams &params, Callback<proto::CompletionList> reply) {
    std::lock_guard<std::mutex> lock(mutex);
    const Document *doc = find(params.textDocument.uri);
    reply(doc ? complete(*doc->index, params.position, cache.getOptions()) : proto::CompletionList());
  }

  void onSignatureHelp(const proto::TextDocumentPositionParams &params,
                       Callback<llvm::json::Value> reply) {
    std::lock_guard<std::mutex> lock(mutex);
    const Document *doc = find(params.textDocument.uri);
    std::optional<proto::SignatureHelp> help = doc ? signatureHelp(*doc->index, params.position) : std::nullopt;
    reply(help ? llvm::json::Value(*help) : llvm::json::Value(nullptr));
  }

  void onDefinition(const proto::TextDocumentPositionParams &params,
                    Callback<std::vector<proto::Location>> reply) {
    std::lock_guard<std::mutex> lock(mutex);
    const Document *doc = find(params.textDocument.uri);
    reply(doc ? definition(*doc->index, params.position, doc->uri) : std::vector<proto::Location>());
  }

  /// References in the open documents and, for a task, flow, search or global, in the
  /// workspace's .mml files that mention its name (each indexed once per modification).
  void onReferences(const proto::ReferenceParams &params, Callback<std::vector<proto::Location>> reply) {
    std::lock_guard<std::mutex> lock(mutex);
    const Document *doc = find(params.textDocument.uri);
    if (!doc)
      return reply(std::vector<proto::Location>());
    std::vector<std::pair<const FileIndex *, proto::URIForFile>> others;
    std::set<std::string> open;
    for (auto &[file, other] : documents) {
      others.emplace_back(&freshIndex(other), other.uri);
      open.insert(other.path);
    }
    std::vector<std::shared_ptr<const FileIndex>> keep;
    const Occurrence *at = doc->index->occurrenceAt(params.position);
    const Symbol *target = at ? at->symbol : nullptr;
    if (target && !target->parent && target->kind != SymbolKind::Main && !target->name.empty()) {
      // Folders read besides the roots: the declaring file's and the open documents'.
      std::vector<std::string> folders{llvm::sys::path::parent_path(target->file).str()};
      if (!workspace.hasRoots())
        for (auto &[file, other] : documents)
          folders.push_back(llvm::sys::path::parent_path(other.path).str());
      for (const std::string &path : workspace.mmlFiles(folders)) {
        if (open.count(path) || !mentions(path, target->name))
          continue;
        std::shared_ptr<const FileIndex> index = cache.indexPath(path);
        llvm::Expected<proto::URIForFile> uri = proto::URIForFile::fromFile(path);
        if (!index || !uri) {
          if (!uri)
            llvm::consumeError(uri.takeError());
          continue;
        }
        others.emplace_back(index.get(), *uri);
        keep.push_back(std::move(index));
      }
    }
    reply(references(*doc->index, params.position, doc->uri, params.context.includeDeclaration, others));
  }

  /// Whether the file's text holds `name` (a cheap filter before indexing it).
  static bool mentions(const std::string &path, llvm::StringRef name) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    return buffer && (*buffer)->getBuffer().contains(name);
  }

  void onDocumentSymbol(const proto::DocumentSymbolParams &params, Callback<llvm::json::Value> reply) {
    std::lock_guard<std::mutex> lock(mutex);
    const Document *doc = find(params.textDocument.uri);
    if (!doc)
      return reply(llvm::json::Array());
    std::vector<proto::DocumentSymbol> symbols = documentSymbols(*doc->index);
    if (hierarchicalSymbols)
      return reply(std::move(symbols));
    // Clients without hierarchy get SymbolInformation: a flat list with locations.
    llvm::json::Array flat;
    std::function<void(const proto::DocumentSymbol &, const std::string &)> add =
        [&](const proto::DocumentSymbol &s, const std::string &container) {
          llvm::json::Object info{{"name", s.name},
                                  {"kind", static_cast<int>(s.kind)},
                                  {"location", proto::Location(doc->uri, s.range)}};
          if (!container.empty())
            info["containerName"] = container;
          flat.push_back(std::move(info));
          for (const proto::DocumentSymbol &child : s.children)
            add(child, s.name);
        };
    for (const proto::DocumentSymbol &s : symbols)
      add(s, "");
    reply(std::move(flat));
  }

  /// Guards everything below (documents, cache, workspace, pending) between the thread reading
  /// requests and the checker thread; held while a request is answered or a check runs.
  std::mutex mutex;
  IndexCache cache; ///< its options hold the unsaved buffers of the open documents
  Workspace workspace;
  std::map<std::string, Document> documents; ///< by the URI's file path
  bool hierarchicalSymbols = false;
  proto::OutgoingNotification<proto::PublishDiagnosticsParams> publishDiagnostics;
  // Debounced diagnostics: documents to check and when; the thread checking them.
  std::chrono::milliseconds debounce;
  std::map<std::string, Clock::time_point> pending;
  std::condition_variable wakeChecker;
  bool stopping = false;
  std::unique_ptr<llvm::thread> checker;
};

} // namespace

llvm::LogicalResult mml::lsp::runServer(proto::JSONTransport &transport, const FrontEndOptions &options,
                                        std::chrono::milliseconds debounce) {
  Server server(transport, options, debounce);
  if (llvm::Error error = transport.run(server.handler)) {
    proto::Logger::error("transport error: {0}", error);
    llvm::consumeError(std::move(error));
    return llvm::failure();
  }
  return llvm::success();
}
