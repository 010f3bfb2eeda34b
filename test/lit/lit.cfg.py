# lit configuration of the mmlc suite: .mml and .mlir tests run through mmlc, mmlc-opt, FileCheck.
import os
import lit.formats

config.name = "mmlc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mml", ".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.mmlc_obj_root

config.environment["PATH"] = os.pathsep.join(
    [config.mmlc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
# Diagnostics must not depend on the terminal.
config.environment["TERM"] = "dumb"

config.substitutions.append(("%stdlib", os.path.join(config.mmlc_source_dir, "stdlib")))
config.substitutions.append(("%examples", os.path.join(config.mmlc_source_dir, "examples")))
config.substitutions.append(("%inputs", os.path.join(os.path.dirname(__file__), "Inputs")))
config.substitutions.append(
    ("%hlsfixture", os.path.join(config.mmlc_source_dir, "test", "unit", "meta", "fixtures",
                                 "hls4ml-style-mlp")))
config.substitutions.append(
    ("%vendoraptypes", os.path.join(config.mmlc_source_dir, "test", "fixtures", "vendor-ap-types")))
config.substitutions.append(
    ("%realprojects", os.path.join(config.mmlc_source_dir, "test", "fixtures", "hls4ml-projects")))
if config.mmlc_have_meta:
    config.available_features.add("meta")
if config.mmlc_have_run:
    config.available_features.add("run")
