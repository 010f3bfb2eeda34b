// Runs the ANTLR lexer and parser over .mml text, with short, located syntax error messages.
#include "mml/FrontEnd/ParsedFile.h"

#include "llvm/Support/ConvertUTF.h"

using namespace mml;
using namespace mmlgrammar;

namespace {
/// Collects lexer and parser errors instead of printing them to the console.
class CollectingErrorListener : public antlr4::BaseErrorListener {
public:
  explicit CollectingErrorListener(const std::function<void(const SyntaxError &)> &onError)
      : onError(onError) {}

  void syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t line,
                   size_t charPositionInLine, const std::string &msg,
                   std::exception_ptr) override {
    ++count;
    if (count > kMaxReported)
      return;
    onError({static_cast<unsigned>(line), static_cast<unsigned>(charPositionInLine) + 1,
             shorten(msg, offending)});
  }
  unsigned count = 0;

private:
  static constexpr unsigned kMaxReported = 20;

  /// ANTLR lists every token it could accept; past a handful that helps nobody.
  static std::string shorten(const std::string &msg, antlr4::Token *offending) {
    size_t brace = msg.find(" expecting {");
    if (brace == std::string::npos)
      return msg;
    size_t commas = std::count(msg.begin() + brace, msg.end(), ',');
    if (commas < 6)
      return msg;
    std::string text = offending ? offending->getText() : std::string();
    if (offending && offending->getType() == antlr4::Token::EOF)
      return "unexpected end of file";
    return "unexpected '" + text + "'";
  }
  const std::function<void(const SyntaxError &)> &onError;
};

/// Rejects bracket nesting deeper than kMaxNesting before the recursive-descent parser runs.
bool checkNesting(antlr4::CommonTokenStream &tokens,
                  const std::function<void(const SyntaxError &)> &onError) {
  unsigned depth = 0;
  for (antlr4::Token *token : tokens.getTokens()) {
    std::string text = token->getText();
    if (text == "(" || text == "[" || text == "{") {
      if (++depth > kMaxNesting) {
        onError({static_cast<unsigned>(token->getLine()),
                 static_cast<unsigned>(token->getCharPositionInLine()) + 1,
                 "brackets nested deeper than " + std::to_string(kMaxNesting) + " levels"});
        return false;
      }
    } else if ((text == ")" || text == "]" || text == "}") && depth > 0) {
      --depth;
    }
  }
  return true;
}

/// Reports numbers glued to letters that are not a unit (`5sec`), which the parser would only
/// call "no viable alternative".
bool checkUnits(antlr4::CommonTokenStream &tokens,
                const std::function<void(const SyntaxError &)> &onError) {
  bool ok = true;
  for (antlr4::Token *token : tokens.getTokens())
    if (token->getType() == MMLLexer::BAD_QUANTITY) {
      onError({static_cast<unsigned>(token->getLine()),
               static_cast<unsigned>(token->getCharPositionInLine()) + 1,
               "unknown unit in '" + token->getText() + "' (units: ns, us, ms, s, kHz, MHz, GHz, %)"});
      ok = false;
    }
  return ok;
}

/// Rejects bytes that are not UTF-8 (ANTLR would throw on them) with their position.
bool checkUtf8(llvm::StringRef source, const std::function<void(const SyntaxError &)> &onError) {
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(source.data());
  const llvm::UTF8 *cursor = begin;
  if (llvm::isLegalUTF8String(&cursor, begin + source.size()))
    return true;
  llvm::StringRef before = source.take_front(cursor - begin);
  unsigned line = 1 + before.count('\n');
  size_t lastNewline = before.rfind('\n');
  unsigned column =
      1 + (lastNewline == llvm::StringRef::npos ? before.size() : before.size() - lastNewline - 1);
  onError({line, column, "invalid UTF-8 byte in the source"});
  return false;
}
} // namespace

std::unique_ptr<ParsedFile>
mml::parseMML(llvm::StringRef source, const std::function<void(const SyntaxError &)> &onError,
              bool recover) {
  auto file = std::make_unique<ParsedFile>();
  if (!checkUtf8(source, onError))
    return file;
  file->input = std::make_unique<antlr4::ANTLRInputStream>(source.data(), source.size());
  file->lexer = std::make_unique<MMLLexer>(file->input.get());
  CollectingErrorListener listener(onError);
  file->lexer->removeErrorListeners();
  file->lexer->addErrorListener(&listener);
  file->tokens = std::make_unique<antlr4::CommonTokenStream>(file->lexer.get());
  file->tokens->fill();
  if (!checkNesting(*file->tokens, onError) || (!recover && !checkUnits(*file->tokens, onError)))
    return file;
  file->parser = std::make_unique<MMLParser>(file->tokens.get());
  file->parser->removeErrorListeners();
  file->parser->addErrorListener(&listener);
  // SLL prediction is much faster and exact for this grammar's valid inputs; fall back to
  // full LL only when it reports an error, so messages are the precise ones.
  file->parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  file->parser->setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  MMLParser::ModuleContext *tree = nullptr;
  try {
    tree = file->parser->module();
  } catch (antlr4::ParseCancellationException &) {
    file->tokens->reset();
    file->parser->reset();
    file->parser->setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    file->parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    tree = file->parser->module();
  }
  file->parser->removeErrorListeners();
  file->lexer->removeErrorListeners();
  if (listener.count == 0 || recover)
    file->tree = tree;
  return file;
}
