// Signature help: the signature of the task, flow or search whose call holds the cursor, with
// the parameter the cursor's argument binds (positional or `name:`) highlighted.
#include "CursorContext.h"
#include "Features.h"

using namespace mml::lsp;

std::optional<mlir::lsp::SignatureHelp> mml::lsp::signatureHelp(const FileIndex &index, Position pos) {
  std::optional<CallSite> call = callAt(index, pos);
  if (!call || !call->callee)
    return std::nullopt;
  const Symbol &callee = *call->callee;
  mlir::lsp::SignatureInformation info;
  info.label = callee.name + "(";
  for (size_t i = 0; i < callee.params.size(); ++i) {
    if (i)
      info.label += ", ";
    mlir::lsp::ParameterInformation p;
    unsigned begin = info.label.size();
    info.label += callee.params[i]->paramLabel();
    p.labelOffsets = std::make_pair(begin, static_cast<unsigned>(info.label.size()));
    p.labelString = callee.params[i]->paramLabel();
    p.documentation = callee.params[i]->doc;
    info.parameters.push_back(std::move(p));
  }
  info.label += ")";
  if (!callee.type.empty())
    info.label += " -> " + callee.type;
  info.documentation = callee.doc;
  mlir::lsp::SignatureHelp help;
  help.signatures.push_back(std::move(info));
  help.activeParameter = call->positionalBefore;
  if (!call->currentName.empty())
    for (size_t i = 0; i < callee.params.size(); ++i)
      if (callee.params[i]->name == call->currentName)
        help.activeParameter = static_cast<int>(i);
  return help;
}
