#!/usr/bin/env python3
"""Example user script for examples/extern_task.mml: an in-house "optimiser" that copies an
hls4ml-style project and sets every layer's reuse factor (a plain text edit of parameters.h, the
way many existing scripts work). Prints JSON metrics: the number of layers it changed.

Usage: set_reuse.py PROJECT_DIR OUT_DIR --factor N
"""
import json
import re
import shutil
import sys

if len(sys.argv) != 5 or sys.argv[3] != "--factor":
    sys.exit(__doc__)
src, out, factor = sys.argv[1], sys.argv[2], int(sys.argv[4])
shutil.copytree(src, out, dirs_exist_ok=True)
path = f"{out}/firmware/parameters.h"
text = open(path).read()
text, changed = re.subn(r"(static const unsigned reuse_factor = )\d+;", rf"\g<1>{factor};", text)
open(path, "w").write(text)
print(json.dumps({"layers_changed": changed, "reuse": factor}))
