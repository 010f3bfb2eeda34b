# Reads two report.md files of bench/flows (baseline, optimised) and prints the RESULT lines.
import re
import sys


def metrics(path):
    values = {}
    for name, value in re.findall(r"^\| (\w+) \| ([-0-9.e+]+) \|$", open(path).read(), re.M):
        values[name] = float(value)
    for required in ("dsp", "lut", "accuracy"):
        if required not in values:
            sys.exit(f"{path}: no '{required}' row in the metrics table")
    return values


base, opt = metrics(sys.argv[1]), metrics(sys.argv[2])
wall = float(sys.argv[4]) - float(sys.argv[3])
reduction = lambda k: 100.0 * (1.0 - opt[k] / base[k]) if base[k] else 0.0
print(f"INFO baseline: accuracy {base['accuracy']:.4f} dsp {base['dsp']:g} lut {base['lut']:g} ff {base.get('ff', 0):g} latency {base.get('latency', 0):g}")
print(f"INFO s+p+q:    accuracy {opt['accuracy']:.4f} dsp {opt['dsp']:g} lut {opt['lut']:g} ff {opt.get('ff', 0):g} latency {opt.get('latency', 0):g}")
print(f"RESULT spq_dsp_reduction_pct={reduction('dsp'):.2f}")
print(f"RESULT spq_lut_reduction_pct={reduction('lut'):.2f}")
print(f"RESULT spq_accuracy_loss_pct={100.0 * (base['accuracy'] - opt['accuracy']):.2f}")
print(f"RESULT spq_wall_s={wall:.0f}")
