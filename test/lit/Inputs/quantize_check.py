# Checks the run directory of test/lit/Run/quantize.mml: the quantize step's metrics, its
# precisions.json, the typedefs and weights of its rewritten project, and its LOG events.
import glob
import json
import re
import sys

run = sys.argv[1]
steps = [json.load(open(f)) for f in glob.glob(run + "/models/*/step.json")]
quantize = [s for s in steps if s["task"] == "quantize"]
assert len(quantize) == 1, "expected one quantize step"
step = quantize[0]
metrics = step["metrics"]
tolerance = float(step["params"]["tolerance"])
model = run + "/models/" + step["key"]

# Narrower than the start, within the tolerance on the selection data, confirmed by C simulation.
assert metrics["bits"] < metrics["bits_before"], metrics
assert metrics["validation_baseline_accuracy"] - metrics["validation_accuracy"] <= tolerance + 1e-9, metrics
assert metrics["csim_match"] == 1 and metrics["csim_samples"] > 0, metrics
assert metrics["csim_accuracy"] == metrics["accuracy"] or metrics["csim_samples"] < 1000, metrics

# Every Dense layer's weights and the input are narrower than the fixed<16,6> they started at.
chosen = json.load(open(model + "/precisions.json"))
dense = [l for l in chosen["layers"] if l["kind"] == "Dense"]
assert dense, chosen


def parse(t):
    m = re.fullmatch(r"(u?fixed)<(-?\d+),(-?\d+)(?:,(\w+),(\w+))?>", t)
    assert m, t
    return m


def width(t):
    return int(parse(t).group(2))


def cpp(t):
    m = parse(t)
    modes = ",AP_%s,AP_%s" % (m.group(4), m.group(5)) if m.group(4) else ""
    return "ap_%s<%s,%s%s>" % (m.group(1), m.group(2), m.group(3), modes)


for l in dense:
    assert width(l["weight"]) < 16, l
assert width(chosen["input"]) < 16, chosen["input"]

# The rewritten project spells exactly these types.
defines = open(model + "/project/firmware/defines.h").read()
typedefs = dict((name, t) for t, name in re.findall(r"typedef (ap_u?fixed<[^>]*>) (\w+);", defines))
assert typedefs["input_t"] == cpp(chosen["input"]), (typedefs["input_t"], chosen["input"])
for l in chosen["layers"]:
    name = l["name"]
    assert typedefs[name + "_t"] == cpp(l["result"]), (name, typedefs[name + "_t"], l["result"])
    if l["kind"] == "Dense":
        for role in ("weight", "bias", "accum"):
            assert typedefs[name + "_" + role + "_t"] == cpp(l[role]), (name, role)
        # Its weight header holds values re-quantised to the new weight type.
        frac = width(l["weight"]) - int(parse(l["weight"]).group(3))
        header = open(model + "/project/firmware/weights/w_" + name + ".h").read()
        literals = header.split("_VALUES", 1)[1].split("#endif", 1)[0]
        values = [float(v) for v in re.findall(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?", literals)]
        assert values, name
        for v in values:
            assert v * 2 ** frac == round(v * 2 ** frac), (name, v, frac)

# One LOG event per candidate, some of them infeasible, and a summary.
events = [json.loads(l) for l in open(run + "/log.jsonl")]
candidates = [e for e in events if e["event"] == "quantize_step"]
assert len(candidates) == metrics["candidates"], (len(candidates), metrics["candidates"])
for e in candidates:
    for field in ("phase", "layer", "role", "type", "accuracy", "feasible", "bits"):
        assert field in e, (field, e)
assert any(not e["feasible"] for e in candidates)
assert sum(e["event"] == "quantize_summary" for e in events) == 1
print("quantize checks passed:", metrics["bits_before"], "->", metrics["bits"], "bits")
