# Checks the scale_step events of one `scale` call against the SCALING rules (docs/tasks.md) and
# prints a summary for FileCheck: "steps=N accepted=K widths=[...] params=P input_params=Q".
#   check_scale_log.py LOG PATH MODE(all|per_layer) FACTOR MIN_WIDTH TOLERANCE MAX_STEPS
import json
import sys

log, path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
factor, min_width, tolerance, max_steps = float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
events = [json.loads(line) for line in open(log)]
steps = [e for e in events if e["event"] == "scale_step" and e["path"] == path]
done = [e for e in events if e["event"] == "step" and e["path"] == path]


def fail(why):
    sys.exit("scale log of %s: %s" % (path, why))


def shrink(w):  # the task's rule: factor times narrower, at least one less, not below min_width
    if w <= min_width:
        return w
    return max(min_width, min(w - 1, int(w * factor + 0.5)))


if not steps or steps[0]["step"] != 0 or not steps[0]["feasible"]:
    fail("step 0 must log the input model as feasible")
baseline = steps[0]["baseline"]
if steps[0]["accuracy"] != baseline:
    fail("step 0's accuracy is the baseline")
best, best_params, best_accuracy = steps[0]["widths"], steps[0]["params"], steps[0]["accuracy"]
frozen = set()
for i, e in enumerate(steps[1:], 1):
    if e["step"] != i or e["baseline"] != baseline:
        fail("steps are numbered 1, 2, ... against one baseline")
    w = e["widths"]
    if mode == "all":
        if w != [shrink(x) for x in best]:
            fail("step %d widths %s are not the shrunk %s" % (i, w, best))
    else:
        changed = [k for k in range(len(w)) if w[k] != best[k]]
        if len(changed) != 1 or w[changed[0]] != shrink(best[changed[0]]) or changed[0] in frozen:
            fail("step %d must shrink exactly one layer that is not frozen: %s after %s" % (i, w, best))
    if e["feasible"] != (baseline - e["accuracy"] <= tolerance):
        fail("step %d feasible flag disagrees with the tolerance" % i)
    if e["params"] >= best_params:
        fail("step %d is not smaller than the model it shrinks" % i)
    if e["feasible"]:
        best, best_params, best_accuracy = w, e["params"], e["accuracy"]
    elif mode == "all":
        if i != len(steps) - 1:
            fail("all-layer scaling stops at the first step over the tolerance")
    else:
        frozen.add(changed[0])
if len(steps) - 1 > max_steps:
    fail("more than max_steps candidates")
if len(done) != 1:
    fail("expected one committed step")
m = done[0]
result = [int(m["metric.width_%d" % (k + 1)]) for k in range(len(best))]
if result != best or m["metric.params"] != best_params or m["metric.val_accuracy"] != best_accuracy:
    fail("the result %s is not the last feasible candidate %s" % (result, best))
print("steps=%d accepted=%d widths=%s params=%d input_params=%d" % (
    len(steps) - 1, sum(1 for e in steps[1:] if e["feasible"]), best, best_params, m["metric.input_params"]))
