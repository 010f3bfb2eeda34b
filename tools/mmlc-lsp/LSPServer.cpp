// mmlc-lsp's server glue: registers the LSP methods with MLIR's message handler, keeps the open
// documents (text, index) and publishes diagnostics on open and on every change.
#include "LSPServer.h"
#include "Checker.h"
#include "Features.h"
#include "SymbolIndex.h"

#include "mlir/Tools/lsp-server-support/Logging.h"
#include "mlir/Tools/lsp-server-support/Transport.h"

#include <map>

using namespace mml;
using namespace mml::lsp;
namespace proto = mlir::lsp;
using proto::Callback;

namespace {

struct Document {
  proto::URIForFile uri;
  int64_t version = 0;
  std::string text;
  std::shared_ptr<const FileIndex> index;
};

class Server {
public:
  Server(proto::JSONTransport &transport, FrontEndOptions options)
      : handler(transport), options(options), cache(options) {
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
  }

  proto::MessageHandler handler;

private:
  void onInitialize(const proto::InitializeParams &params, Callback<llvm::json::Value> reply) {
    hierarchicalSymbols = params.capabilities.hierarchicalDocumentSymbol;
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
  void onShutdown(const proto::NoParams &, Callback<std::nullptr_t> reply) { reply(nullptr); }

  // ---------------------------------------------------------------- documents

  void onDidOpen(const proto::DidOpenTextDocumentParams &params) {
    Document &doc = documents[params.textDocument.uri.file().str()];
    doc.uri = params.textDocument.uri;
    doc.version = params.textDocument.version;
    doc.text = params.textDocument.text;
    update(doc);
  }

  void onDidChange(const proto::DidChangeTextDocumentParams &params) {
    auto it = documents.find(params.textDocument.uri.file().str());
    if (it == documents.end())
      return;
    Document &doc = it->second;
    if (mlir::failed(proto::TextDocumentContentChangeEvent::applyTo(params.contentChanges, doc.text))) {
      proto::Logger::error("failed to apply a change to '{0}'", params.textDocument.uri.file());
      return;
    }
    doc.version = params.textDocument.version;
    update(doc);
  }

  void onDidSave(const proto::DidCloseTextDocumentParams &) {
    // Files that import the saved one see its new text on their next check; re-check them now.
    for (auto &[path, doc] : documents)
      update(doc);
  }

  /// An imported file changed on disk (the editor watches `**/*.mml`): re-check everything open.
  void onWatchedFilesChanged(const proto::NoParams &) {
    for (auto &[path, doc] : documents)
      update(doc);
  }

  void onDidClose(const proto::DidCloseTextDocumentParams &params) {
    auto it = documents.find(params.textDocument.uri.file().str());
    if (it == documents.end())
      return;
    proto::PublishDiagnosticsParams cleared(it->second.uri, it->second.version);
    documents.erase(it);
    publishDiagnostics(cleared);
  }

  /// Re-indexes a document and publishes `mmlc check`'s diagnostics for its text.
  void update(Document &doc) {
    doc.index = cache.indexBuffer(doc.text, doc.uri.file());
    proto::PublishDiagnosticsParams params(doc.uri, doc.version);
    params.diagnostics = checkBuffer(*doc.index, doc.uri, options);
    publishDiagnostics(params);
  }

  const Document *find(const proto::URIForFile &uri) {
    auto it = documents.find(uri.file().str());
    return it == documents.end() || !it->second.index ? nullptr : &it->second;
  }

  // ---------------------------------------------------------------- features

  void onHover(const proto::TextDocumentPositionParams &params,
               Callback<std::optional<proto::Hover>> reply) {
    const Document *doc = find(params.textDocument.uri);
    reply(doc ? hover(*doc->index, params.position) : std::nullopt);
  }

  void onCompletion(const proto::CompletionParams &params, Callback<proto::CompletionList> reply) {
    const Document *doc = find(params.textDocument.uri);
    reply(doc ? complete(*doc->index, params.position, options) : proto::CompletionList());
  }

  void onSignatureHelp(const proto::TextDocumentPositionParams &params,
                       Callback<llvm::json::Value> reply) {
    const Document *doc = find(params.textDocument.uri);
    std::optional<proto::SignatureHelp> help = doc ? signatureHelp(*doc->index, params.position) : std::nullopt;
    reply(help ? llvm::json::Value(*help) : llvm::json::Value(nullptr));
  }

  void onDefinition(const proto::TextDocumentPositionParams &params,
                    Callback<std::vector<proto::Location>> reply) {
    const Document *doc = find(params.textDocument.uri);
    reply(doc ? definition(*doc->index, params.position, doc->uri) : std::vector<proto::Location>());
  }

  void onReferences(const proto::ReferenceParams &params, Callback<std::vector<proto::Location>> reply) {
    const Document *doc = find(params.textDocument.uri);
    if (!doc)
      return reply(std::vector<proto::Location>());
    std::vector<std::pair<const FileIndex *, proto::URIForFile>> others;
    for (auto &[path, other] : documents)
      if (other.index)
        others.emplace_back(other.index.get(), other.uri);
    reply(references(*doc->index, params.position, doc->uri, params.context.includeDeclaration, others));
  }

  void onDocumentSymbol(const proto::DocumentSymbolParams &params, Callback<llvm::json::Value> reply) {
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

  FrontEndOptions options;
  IndexCache cache;
  std::map<std::string, Document> documents;
  bool hierarchicalSymbols = false;
  proto::OutgoingNotification<proto::PublishDiagnosticsParams> publishDiagnostics;
};

} // namespace

llvm::LogicalResult mml::lsp::runServer(proto::JSONTransport &transport, const FrontEndOptions &options) {
  Server server(transport, options);
  if (llvm::Error error = transport.run(server.handler)) {
    proto::Logger::error("transport error: {0}", error);
    llvm::consumeError(std::move(error));
    return llvm::failure();
  }
  return llvm::success();
}
