# Test helper for extern tasks: prints the Branin function at (x, y) as a JSON metrics object.
import json, math, sys
x, y = float(sys.argv[1]), float(sys.argv[2])
a, b, c, r, s, t = 1, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6, 10, 1 / (8 * math.pi)
print("evaluating branin", file=sys.stderr)
print("some tool chatter { not json")
print(json.dumps({"value": a * (y - b * x * x + c * x - r) ** 2 + s * (1 - t) * math.cos(x) + s,
                  "x": x, "tool": "branin.py"}))
