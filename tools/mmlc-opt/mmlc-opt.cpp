// mmlc-opt: runs `mml` passes on .mlir files (used by the lit suite).
#include "mml/InitAllMML.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mml::registerAllDialects(registry);
  mml::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mmlc-opt: the mml dialect's pass driver\n", registry));
}
