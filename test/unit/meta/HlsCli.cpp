// Tiny stand-alone driver for runHlsCommand (`mmlc_meta_cli inspect DIR`), used by the tests and
// the benchmark until the lead wires the command into `mmlc hls ...`.
#include <iostream>

#include "meta/HlsCommand.h"

int main(int argc, char** argv) {
  return mmlc::meta::runHlsCommand(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
