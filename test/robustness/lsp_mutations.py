#!/usr/bin/env python3
"""mmlc-lsp never crashes or hangs: every example is opened, then each of its mutants (the
truncations and mutations of mutate_examples.py) and each fuzz corpus file arrives as a didChange
of the same document; after each, the server must publish diagnostics for that version, and answer
a hover, a completion and a signature help at a position in the middle of the text, each within 20 s."""
import glob
import os
import random
import sys
import time

server, source_dir = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(source_dir, "test", "lsp"))
from lspclient import Client, ServerDied  # noqa: E402
from mutate_examples import mutants  # noqa: E402

rng = random.Random(11)
client = Client([server])
client.initialize(source_dir)
changes, failures, slowest = 0, [], 0.0


def position_in(text: str):
    lines = text.split("\n")
    line = rng.randrange(len(lines))
    return {"line": line, "character": rng.randrange(len(lines[line]) + 1)}


def exercise(uri: str, version: int, text: str, label: str) -> bool:
    global changes, slowest
    changes += 1
    start = time.monotonic()
    try:
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": text}]})
        client.wait_diagnostics(uri, version)
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
    return True


alive = True
examples = sorted(glob.glob(os.path.join(source_dir, "examples", "*.mml")))
corpus = sorted(glob.glob(os.path.join(source_dir, "test", "fuzz", "corpus", "*")))
for example in examples:
    uri = "file://" + os.path.abspath(example)
    original = open(example, "rb").read()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "mml", "version": 1, "text": original.decode()}})
    version = 1
    for label, text in list(mutants(original)) + [(os.path.basename(c), open(c, "rb").read()) for c in corpus]:
        version += 1
        alive = exercise(uri, version, text.decode("utf-8", "replace"),
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
print(f"{changes} changes, slowest change + 3 requests {slowest * 1000:.0f} ms; {len(failures)} failures")
sys.exit(1 if failures else 0)
