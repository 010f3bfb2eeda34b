#!/usr/bin/env python3
"""End to end with a real editor: headless Neovim's built-in LSP client opens examples/spq.mml with
a misspelt task (`trian`), must receive mmlc-lsp's diagnostic on that name (with the suggestion)
and a hover on the `spq(` call showing the flow's signature and doc string."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

server, source_dir = os.path.abspath(sys.argv[1]), sys.argv[2]
nvim = shutil.which("nvim")
if not nvim:
    sys.exit("FAIL: nvim not found (Debian package neovim; scripts/install-deps.sh installs it)")

with tempfile.TemporaryDirectory() as work:
    text = open(os.path.join(source_dir, "examples", "spq.mml")).read()
    assert "m = train(" in text
    text = text.replace("m = train(", "m = trian(", 1)
    path = os.path.join(work, "spq.mml")
    open(path, "w").write(text)
    lines = text.split("\n")
    bad_line = next(i for i, l in enumerate(lines) if "trian(" in l)
    bad_col = lines[bad_line].index("trian(")
    hover_line = next(i for i, l in enumerate(lines) if "h = spq(" in l)
    hover_col = lines[hover_line].index("spq(") + 1
    out = os.path.join(work, "result.json")
    env = dict(os.environ, MMLC_LSP=server, E2E_FILE=path, E2E_OUT=out,
               E2E_LINE=str(hover_line), E2E_COL=str(hover_col), HOME=work, XDG_CONFIG_HOME=work,
               XDG_DATA_HOME=work, XDG_STATE_HOME=work)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "neovim.lua")
    proc = subprocess.run([nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n",
                           "-c", "luafile " + script], env=env, capture_output=True, timeout=120)
    if not os.path.exists(out):
        sys.exit(f"FAIL: neovim wrote no result (exit {proc.returncode})\n{proc.stderr.decode()[-2000:]}")
    result = json.load(open(out))

print(json.dumps(result, indent=2))
failures = []
if result["errors"]:
    failures.append(f"client errors: {result['errors']}")
hits = [d for d in result["diagnostics"]
        if d["lnum"] == bad_line and d["col"] == bad_col and "did you mean 'train'" in d["message"]]
if not hits:
    failures.append(f"no diagnostic on line {bad_line + 1}, column {bad_col + 1} naming 'train'")
elif hits[0]["end_col"] != bad_col + len("trian") or hits[0]["severity"] != 1:
    failures.append(f"diagnostic range/severity wrong: {hits[0]}")
hover = result["hover"] or ""
if "flow spq(" not in hover or "prune_tol" not in hover or "S+P+Q" not in hover:
    failures.append(f"hover on spq( lacks the flow's signature and doc: {hover!r}")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
