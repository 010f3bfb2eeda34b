#!/usr/bin/env python3
"""Every ```mml block in README.md and docs/*.md must parse; blocks with a main must pass
`mmlc check` (blocks marked `// error:` on their first line must be rejected instead)."""
import glob
import os
import re
import subprocess
import sys
import tempfile

mmlc, root = sys.argv[1], sys.argv[2]
files = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
block = re.compile(r"^```mml\n(.*?)^```", re.MULTILINE | re.DOTALL)
passed, failures = 0, []
with tempfile.TemporaryDirectory() as tmp:
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for n, m in enumerate(block.finditer(text), 1):
            src = m.group(1)
            line = text[: m.start()].count("\n") + 2
            where = f"{os.path.relpath(path, root)}:{line}"
            mml = os.path.join(tmp, f"block{n}.mml")
            with open(mml, "w", encoding="utf-8") as f:
                f.write(src)
            expect_error = src.lstrip().startswith("// error:")
            full = re.search(r"^main\s*\{", src, re.MULTILINE) is not None
            cmd = [mmlc, "check", mml] if full or expect_error else [mmlc, mml, "--emit=ast", "-o", os.devnull]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            ok = (proc.returncode == 1) if expect_error else (proc.returncode == 0)
            if ok:
                passed += 1
            else:
                failures.append(f"{where}: {' '.join(cmd[1:2])} exit {proc.returncode}\n{proc.stderr[-1500:]}")
for f in failures:
    print("FAIL", f)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
