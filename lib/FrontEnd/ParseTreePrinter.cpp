// Prints a .mml parse tree as an indented outline of rules and tokens (`mmlc --emit=ast`).
#include "mml/FrontEnd/ParseTreePrinter.h"
#include "mml/FrontEnd/ParsedFile.h"

using namespace mml;

namespace {
void printNode(antlr4::tree::ParseTree *node, const std::vector<std::string> &ruleNames,
               unsigned indent, llvm::raw_ostream &os) {
  os.indent(indent);
  if (auto *rule = dynamic_cast<antlr4::ParserRuleContext *>(node)) {
    os << ruleNames[rule->getRuleIndex()];
    // Labelled alternatives are distinct context classes; show the label (assignStmt, ...).
    std::string cls = typeid(*rule).name();
    size_t pos = cls.find("Context");
    size_t start = pos == std::string::npos ? 0 : cls.find_last_of("0123456789", pos);
    if (pos != std::string::npos && start != std::string::npos) {
      std::string label = cls.substr(start + 1, pos - start - 1);
      if (!label.empty()) {
        label[0] = static_cast<char>(std::tolower(label[0]));
        if (label != ruleNames[rule->getRuleIndex()])
          os << " (" << label << ")";
      }
    }
    os << " @" << rule->getStart()->getLine() << ":"
       << rule->getStart()->getCharPositionInLine() + 1 << "\n";
    for (antlr4::tree::ParseTree *child : rule->children)
      printNode(child, ruleNames, indent + 2, os);
    return;
  }
  os << "'" << node->getText() << "'\n";
}
} // namespace

bool mml::printParseTree(llvm::StringRef source, llvm::StringRef fileName, llvm::raw_ostream &os,
                         llvm::raw_ostream &errs) {
  bool ok = true;
  std::unique_ptr<ParsedFile> parsed = parseMML(source, [&](const SyntaxError &e) {
    ok = false;
    errs << fileName << ":" << e.line << ":" << e.column << ": error: " << e.message << "\n";
  });
  if (!ok || !parsed->tree)
    return false;
  printNode(parsed->tree, parsed->parser->getRuleNames(), 0, os);
  return true;
}
