# Test helper for search-time.mml: a 0.3 s evaluation printing (x - 2)^2 as JSON metrics.
import json, sys, time
time.sleep(0.3)
x = float(sys.argv[1])
print(json.dumps({"value": (x - 2) ** 2}))
