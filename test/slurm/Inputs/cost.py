# Test helper for the Slurm tests: a cheap evaluation (optionally slow or failing) printing JSON metrics.
import json, sys, time
x, y, pause, fail = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
time.sleep(pause)
if fail:
    print("cost.py: failing on request (fail=1)", file=sys.stderr)
    sys.exit(3)
v = (x - 3) ** 2 + y
print(json.dumps({"value": v, "dsp": v, "x": x}))  # dsp: a name `select` knows for records
