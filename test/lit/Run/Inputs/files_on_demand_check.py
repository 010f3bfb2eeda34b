# Test helper of files-on-demand.mml: the lazy design's project was written by csim's first use
# and equals the eagerly emitted one file by file; the estimate step never needed it.
import filecmp
import json
import os
import sys

run = sys.argv[1]
steps = {}
for line in open(os.path.join(run, "log.jsonl")):
    event = json.loads(line)
    if event["event"] == "step":
        steps[event["path"]] = event["key"]
lazy = os.path.join(run, "models", steps["main.hls4ml"], "project")
eager = os.path.join(run, "models", steps["main.hls4ml#2"], "project")
assert os.path.isdir(os.path.join(lazy, "firmware")), "csim did not write the lazy project"
leftovers = [f for f in os.listdir(os.path.dirname(lazy)) if ".tmp-" in f]
assert not leftovers, leftovers


def files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


assert files(lazy) == files(eager), (files(lazy), files(eager))
_, mismatch, errors = filecmp.cmpfiles(lazy, eager, files(lazy), shallow=False)
assert not mismatch and not errors, (mismatch, errors)
csim = json.load(open(os.path.join(run, "models", steps["main.csim"], "step.json")))
assert csim["metrics"]["mismatches"] == 0, csim["metrics"]
