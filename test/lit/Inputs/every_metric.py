#!/usr/bin/env python3
"""Writes a flow that reads every metric `mmlc metrics` lists for each level of value (dnn, hls,
rtl, data, device), so that running it fails when a metric of the table has no producer."""
import subprocess
import sys

mmlc, out = sys.argv[1], sys.argv[2]
listing = subprocess.run([mmlc, "metrics"], capture_output=True, text=True, check=True).stdout
names, level = {}, None
for line in listing.splitlines():
    if not line.startswith(" "):
        level = line.split(":")[0].split(" ")[0]
        names[level] = list(names.get(line.split("those of ")[-1], [])) if "those of" in line else []
    else:
        names[level].append(line.split()[0])
values = {"dnn": "m", "hls": "h", "rtl": "r", "data": "fm", "device": "dev"}
missing = sorted(set(names) - set(values) - {"metrics"})
if missing:
    sys.exit(f"every_metric.py: no value of level {missing} in the generated flow")
# Each level's metrics summed in a run-time condition (an unused read would be dropped).
reads = [f"  if ({' + '.join(f'{values[lv]}.{n}' for n in names[lv])} < -1e30) {{ e_{lv} = estimate(h); }}"
         for lv in values]
open(out, "w").write("\n".join([
    'import "std/tasks.mml";',
    "data fm = fashion_mnist(split: 0.2, seed: 3, limit: 300);",
    'device dev = part("xc7z020clg400-1", clock: 10ns);',
    "main {",
    "  m = train(mlp(784, [6], 10), fm, epochs: 1, batch: 64);",
    "  h = hls4ml(m, precision: fixed<12,5>, device: dev);",
    '  r = synth(h, tool: "estimator");',
    *reads,
    "}",
    ""]))
print(f"{sum(len(names[lv]) for lv in values)} metric reads over {len(values)} levels")
