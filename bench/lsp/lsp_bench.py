#!/usr/bin/env python3
"""Latency of mmlc-lsp as an editor sees it: the largest example with an `h = ` is opened, then a line
is typed into its main one keystroke at a time (`  q = set_reuse(h, layer: "layer2", reu...`, half-typed
until the end); after each keystroke the editor sends the change and asks for a completion at the
cursor and a hover on a name. Measured per keystroke: change -> diagnostics published, the
completion reply, the hover reply; then 20 changes that keep the file valid (the whole pipeline
runs). The server runs with -debounce-ms=0 there (each change checked at once: what is timed is its
work, not the wait). Then, with the default debounce, the line is typed again in one burst: how
many diagnostics are published and how long after the last keystroke the last one comes.
Peer in the same run: `mmlc check` of the same file (a process: start-up included)."""
import glob
import os
import statistics
import subprocess
import sys
import time

server, mmlc, source_dir = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(source_dir, "test", "lsp"))
from lspclient import Client  # noqa: E402

# The largest example with an `h = ...` statement (the typed line uses `h`).
example = max((p for p in glob.glob(os.path.join(source_dir, "examples", "*.mml"))
               if any(l.strip().startswith("h = ") for l in open(p))), key=os.path.getsize)
text = open(example).read()
lines = text.split("\n")
# The new line goes after the first statement that assigns `h` in main.
at = next(i for i, l in enumerate(lines) if l.strip().startswith("h = ")) + 1
typed = '  q = set_reuse(h, layer: "layer2", reuse: 4, strategy: "resource");'
hover_line = at - 1
hover_col = lines[hover_line].index("h = ") + 4 + 1  # on the callee of the line above

uri = "file://" + os.path.abspath(example)
client = Client([server, "-debounce-ms=0"], cwd=source_dir)
client.initialize(source_dir)
client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "mml", "version": 1,
                                                        "text": text}})
client.wait_diagnostics(uri, 1, timeout=60)
# An empty line to type into.
client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
    {"range": {"start": {"line": at, "character": 0}, "end": {"line": at, "character": 0}}, "text": "\n"}]})
client.wait_diagnostics(uri, 2, timeout=60)

diag, comp, hov = [], [], []
version = 2
for k, ch in enumerate(typed):
    version += 1
    pos = {"line": at, "character": k}
    start = time.perf_counter()
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [
        {"range": {"start": pos, "end": pos}, "text": ch}]})
    client.wait_diagnostics(uri, version)
    diag.append(time.perf_counter() - start)
    cursor = {"line": at, "character": k + 1}
    start = time.perf_counter()
    client.call("textDocument/completion", {"textDocument": {"uri": uri}, "position": cursor})
    comp.append(time.perf_counter() - start)
    start = time.perf_counter()
    client.call("textDocument/hover", {"textDocument": {"uri": uri},
                                       "position": {"line": hover_line, "character": hover_col}})
    hov.append(time.perf_counter() - start)
# The whole pipeline on a valid file: a trailing blank toggled at the end (the text stays valid).
full = []
end_line = len(text.split("\n"))  # the typed line added one
for k in range(20):
    version += 1
    pos = {"line": end_line, "character": 0}
    change = {"range": {"start": pos, "end": pos}, "text": " "} if k % 2 == 0 else \
        {"range": {"start": pos, "end": {"line": end_line, "character": 1}}, "text": ""}
    start = time.perf_counter()
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [change]})
    published = client.wait_diagnostics(uri, version)
    full.append(time.perf_counter() - start)
    assert not published["params"]["diagnostics"], published
assert client.close() == 0

# Debounced (the default): the same line typed in one burst, 30 ms between keystrokes.
client = Client([server], cwd=source_dir)
client.initialize(source_dir)
client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "mml", "version": 1,
                                                        "text": text}})
client.wait_diagnostics(uri, 1, timeout=60)
published_versions = []
version = 1
for k, ch in enumerate("\n" + typed):
    version += 1
    pos = {"line": at, "character": 0} if k == 0 else {"line": at, "character": k - 1}
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [
        {"range": {"start": pos, "end": pos}, "text": ch}]})
    last_keystroke = time.perf_counter()
    time.sleep(0.03)
final = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and
                    (published_versions.append(m["params"]["version"]) or m["params"]["version"] == version),
                    timeout=60)
debounced_latency = time.perf_counter() - last_keystroke
assert published_versions == sorted(published_versions), published_versions  # never a stale one
assert client.close() == 0

checks = []
for _ in range(10):
    start = time.perf_counter()
    subprocess.run([mmlc, "check", example], cwd=source_dir, check=True, capture_output=True)
    checks.append(time.perf_counter() - start)


def p95(xs):
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)] * 1000


def med(xs):
    return statistics.median(xs) * 1000


every = diag + comp + hov + full
print(f"{os.path.relpath(example, source_dir)}: {len(text)} bytes; {len(typed)} keystrokes, each a didChange "
      f"+ completion + hover")
print(f"diagnostics after a change: median {med(diag):.1f} ms, p95 {p95(diag):.1f} ms")
print(f"diagnostics, valid file:    median {med(full):.1f} ms, p95 {p95(full):.1f} ms (whole pipeline)")
print(f"completion:                 median {med(comp):.2f} ms, p95 {p95(comp):.2f} ms")
print(f"hover:                      median {med(hov):.2f} ms, p95 {p95(hov):.2f} ms")
print(f"mmlc check (process):       median {med(checks):.1f} ms, p95 {p95(checks):.1f} ms")
print(f"debounced burst:             {version - 1} changes 30 ms apart -> {len(published_versions)} "
      f"publications (versions {published_versions}); the last {debounced_latency * 1000:.0f} ms after "
      f"the last keystroke")
print(f"RESULT lsp_p95_ms={p95(every):.1f}")
print(f"RESULT lsp_debounced_publications={len(published_versions)}")
print(f"RESULT lsp_debounced_last_ms={debounced_latency * 1000:.0f}")
print(f"RESULT lsp_diagnostics_p95_ms={p95(diag):.1f}")
print(f"RESULT lsp_completion_p95_ms={p95(comp):.2f}")
print(f"RESULT lsp_hover_p95_ms={p95(hov):.2f}")
print(f"RESULT lsp_full_check_p95_ms={p95(full):.1f}")
print(f"RESULT mmlc_check_median_ms={med(checks):.1f}")
print(f"RESULT lsp_full_check_vs_mmlc_check={med(full) / med(checks):.2f}")
