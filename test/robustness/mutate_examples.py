#!/usr/bin/env python3
"""Truncates and mutates every example flow; mmlc must never crash or hang, and every
rejection must carry a located error (FILE:LINE:COL: error: ...)."""
import glob
import os
import random
import re
import subprocess
import sys
import tempfile

LOCATED = re.compile(r"^[^\n]+:\d+:\d+: error: ", re.MULTILINE)
rng = random.Random(7)
failures, runs = [], 0
mmlc = ""


def check(text: bytes, label: str, workdir: str) -> None:
    global runs
    runs += 1
    path = os.path.join(workdir, "mutant.mml")
    with open(path, "wb") as f:
        f.write(text)
    try:
        proc = subprocess.run([mmlc, "check", path], capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        failures.append(f"{label}: timed out")
        return
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode not in (0, 1):
        failures.append(f"{label}: exit {proc.returncode}\n{err[-2000:]}")
    elif proc.returncode == 1 and not LOCATED.search(err):
        failures.append(f"{label}: error without a location:\n{err[-2000:]}")


def mutants(text: bytes):
    n = len(text)
    for i in range(1, 16):  # truncations
        yield f"truncated at {n * i // 16}", text[: n * i // 16]
    lines = text.split(b"\n")
    for _ in range(6):  # a line deleted
        k = rng.randrange(len(lines))
        yield f"line {k + 1} deleted", b"\n".join(lines[:k] + lines[k + 1:])
    for _ in range(12):  # bytes replaced by syntax-significant characters
        pos = rng.randrange(n)
        ch = rng.choice(b"{}()[];,:=<>.\"%-+*/#@\x00\xff 0aZ")
        yield f"byte {pos} -> {ch!r}", text[:pos] + bytes([ch]) + text[pos + 1:]
    for _ in range(6):  # a chunk duplicated
        a = rng.randrange(n)
        b = min(n, a + rng.randrange(1, 200))
        yield f"chunk {a}:{b} duplicated", text[:b] + text[a:b] + text[b:]


def main() -> None:
    global mmlc
    mmlc, source_dir = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as workdir:
        for example in sorted(glob.glob(os.path.join(source_dir, "examples", "*.mml"))):
            with open(example, "rb") as f:
                original = f.read()
            for label, text in mutants(original):
                check(text, f"{os.path.basename(example)}: {label}", workdir)

    for f in failures:
        print("FAIL", f)
    print(f"{runs - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
