# Checks the `allocate` event of a run's log.jsonl: an optimal MIP of one binary per candidate the
# per-layer Pareto filter keeps (at least one per layer, at most all of them),
# a latency within the limit (cycles, argv[2]) both in the MIP's sums and re-estimated, a
# choice per allocated layer, and (argv[3], optional) how many candidates were left out as
# extrapolations of the calibration, each named in excluded_why.
import json
import sys

events = [json.loads(l) for l in open(sys.argv[1]) if '"event":"allocate"' in l]
assert len(events) == 1, f"{len(events)} allocate events"
e = events[0]
limit = float(sys.argv[2])
assert e["status"] == "optimal", e["status"]
assert e["candidates"] >= e["variables"] >= e["layers"] >= 2 and e["candidates"] > e["layers"], e
assert e["constraints"] >= e["layers"] + 1, e
assert e["mip_totals"]["latency"] <= limit, e["mip_totals"]
assert e["estimated_totals"]["latency"] <= limit, e["estimated_totals"]
assert abs(e["objective"] - e["mip_totals"]["dsp"]) < 1e-6, e
assert len(e["choice"]) == e["layers"], e["choice"]
assert all(c["strategy"] in ("latency", "resource") and c["reuse"] >= 1 for c in e["choice"])
assert (e["excluded_candidates"] > 0) == (e["excluded_why"] != ""), e
if len(sys.argv) > 3:
    assert e["excluded_candidates"] == int(sys.argv[3]), e
    assert "Dense resource strategy at reuse factor 1 (" in e["excluded_why"], e["excluded_why"]
    assert "extrapolations" in e["excluded_why"], e["excluded_why"]
    assert not any(c["strategy"] == "resource" and c["reuse"] == 1 for c in e["choice"]), e["choice"]
print("allocate:", e["layers"], "layers,", e["variables"], "binaries, DSP", e["mip_totals"]["dsp"],
      "latency", e["mip_totals"]["latency"], "cycles")
