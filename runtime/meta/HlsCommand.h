// Command-line logic of `mmlc hls inspect|rewrite` (kept in the library so the mmlc driver only
// forwards its arguments): prints the project model, or applies rewrites given as --set etc.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mmlc::meta {

// args exclude the program and "hls" words, e.g. {"inspect", "prj", "--json"} or
// {"rewrite", "prj", "--set", "fc2.weight=fixed<8,3>", "-o", "out"}.
//   inspect DIR [--json] [-I INCLUDE_DIR]...
//   rewrite DIR [-I INCLUDE_DIR]... [--set LAYER.FIELD=VALUE]... [--pragma FUNC[/LOOP]=TEXT]...
//               [--remove-pragma FUNC[/LOOP]=DIRECTIVE]... [--rename-top NAME] [-o OUTDIR] [--force]
//               [--no-verify]
// Returns the exit status (0 ok, 1 user error, 2 usage error); errors go to err as file:line.
int runHlsCommand(std::vector<std::string> args, std::ostream& out, std::ostream& err);

std::string hlsCommandUsage();

}  // namespace mmlc::meta
