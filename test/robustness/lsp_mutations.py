#!/usr/bin/env python3
"""mmlc-lsp never crashes or hangs, and publishes what `mmlc check` reports: every example is
opened, then each of its mutants (the truncations and mutations of mutate_examples.py) and each fuzz
corpus file arrives as a didChange of the same document; after each, the server must publish
diagnostics for that version whose errors are exactly `mmlc check`'s on the same text (place and
message), and answer a hover, a completion and a signature help at a random position, each within
20 s."""
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

server, mmlc, source_dir = sys.argv[1], sys.argv[2], sys.argv[3]
examples_dir = os.path.join(source_dir, "examples")
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(source_dir, "test", "lsp"))
from lspclient import Client, ServerDied  # noqa: E402
from mutate_examples import mutants  # noqa: E402

rng = random.Random(11)
# The mutants live elsewhere (-I: their imports are found). A 1 ms debounce: checks run on the
# server's checker thread, as in an editor, without making each change wait 200 ms.
client = Client([server, "-I", examples_dir, "-debounce-ms=1"])
work = tempfile.mkdtemp()
client.initialize(source_dir)
changes, failures, slowest = 0, [], 0.0
compared, with_errors = 0, 0


def position_in(text: str):
    lines = text.split("\n")
    line = rng.randrange(len(lines))
    return {"line": line, "character": rng.randrange(len(lines[line]) + 1)}


def check_errors(path: str, text: str):
    """`mmlc check`'s errors on `text` as {(line, col, message)} for the file itself, and their count."""
    with open(path, "w") as f:
        f.write(text)
    proc = subprocess.run([mmlc, "check", path, "-I", examples_dir], capture_output=True, timeout=60)
    err = proc.stderr.decode("utf-8", "replace")
    here = re.compile(r"^" + re.escape(path) + r":(\d+):(\d+): error: (.*)$", re.MULTILINE)
    return {(int(l), int(c), m) for l, c, m in here.findall(err)}, len(re.findall(r": error: ", err))


def lsp_errors(diagnostics):
    """The published errors as {(line, col, message)} (1-based) for the file itself, and their count."""
    errors = [d for d in diagnostics if d.get("severity") == 1]
    here = {(d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1, d["message"].split("\n")[0])
            for d in errors
            if not any(r["message"] == "the error is here" for r in d.get("relatedInformation", []))}
    return here, len(errors)


def exercise(uri: str, path: str, version: int, text: str, label: str) -> bool:
    global changes, slowest
    changes += 1
    start = time.monotonic()
    try:
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": text}]})
        published = client.wait_diagnostics(uri, version)["params"]["diagnostics"]
        pos = position_in(text)
        for method in ("textDocument/hover", "textDocument/completion", "textDocument/signatureHelp"):
            reply = client.call(method, {"textDocument": {"uri": uri}, "position": pos})
            if "error" in reply:
                failures.append(f"{label}: {method} at {pos}: {reply['error']}")
    except TimeoutError:
        failures.append(f"{label}: no answer within 20 s (hang)")
        return False
    except ServerDied as e:
        failures.append(f"{label}: the server died ({e})")
        return False
    slowest = max(slowest, time.monotonic() - start)
    global compared, with_errors
    if changes % 2:
        return True  # mmlc check costs a process start: every other change is compared
    expected, got = check_errors(path, text), lsp_errors(published)
    compared += 1
    with_errors += expected[1] > 0
    if expected != got:
        failures.append(f"{label}: mmlc check reports {sorted(expected[0])} ({expected[1]} errors), "
                        f"mmlc-lsp {sorted(got[0])} ({got[1]} errors)")
    return True


alive = True
examples = sorted(glob.glob(os.path.join(source_dir, "examples", "*.mml")))
corpus = sorted(glob.glob(os.path.join(source_dir, "test", "fuzz", "corpus", "*")))
for example in examples:
    path = os.path.join(work, os.path.basename(example))
    uri = "file://" + path
    original = open(example, "rb").read()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "mml", "version": 1, "text": original.decode()}})
    version = 1
    for label, text in list(mutants(original)) + [(os.path.basename(c), open(c, "rb").read()) for c in corpus]:
        version += 1
        alive = exercise(uri, path, version, text.decode("utf-8", "replace"),
                         f"{os.path.basename(example)}: {label}")
        if not alive:
            break
    if not alive:
        break
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

status = client.close() if alive else client.proc.poll()
if alive and status != 0:
    failures.append(f"exit status {status} after shutdown")
for f in failures:
    print("FAIL", f)
shutil.rmtree(work)
print(f"{changes} changes, slowest change + 3 requests {slowest * 1000:.0f} ms; {compared} compared with "
      f"mmlc check ({with_errors} with errors); {len(failures)} failures")
sys.exit(1 if failures else 0)
