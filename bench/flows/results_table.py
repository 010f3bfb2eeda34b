# Prints the markdown results table of docs/results.md from the runs of bench/flows/experiments.sh:
# one row per reported design (a `report` directory of a run), reductions against the run's
# `baseline` report.
import os
import re
import sys

out = sys.argv[1]
times = dict(line.split() for line in open(os.path.join(out, "times.txt")))


def metrics(path):
    text = open(path).read()
    title = re.search(r"^# (.*)$", text, re.M).group(1)
    values = {k: float(v) for k, v in re.findall(r"^\| (\w+) \| ([-0-9.e+]+) \|$", text, re.M)}
    return title, values


print("| experiment | design | accuracy | DSP | LUT | FF | latency (cycles) | DSP reduction | LUT reduction | accuracy change | run time |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for experiment in ["auto_pruning", "scaling_vs_pruning", "spq", "jet_tagging", "bottom_up"]:
    run = os.path.join(out, experiment)
    if not os.path.isdir(run):
        continue
    designs = sorted(d for d in os.listdir(run) if os.path.isfile(os.path.join(run, d, "report.md")))
    designs.sort(key=lambda d: d != "baseline")
    _, base = metrics(os.path.join(run, "baseline", "report.md"))
    for i, design in enumerate(designs):
        title, m = metrics(os.path.join(run, design, "report.md"))
        if title.startswith("main."):  # a report without a title: name it by its folder
            title = design.replace("_", " ")
        red = lambda k: "—" if design == "baseline" or not base[k] else f"{100 * (1 - m[k] / base[k]):.2f}%"
        change = "—" if design == "baseline" else f"{100 * (m['accuracy'] - base['accuracy']):+.2f} pts"
        when = f"{float(times[experiment]):.0f} s" if i == 0 else ""
        print(f"| {experiment if i == 0 else ''} | {title} | {m['accuracy']:.4f} | {m['dsp']:.0f} | {m['lut']:.0f} | "
              f"{m['ff']:.0f} | {m['latency']:.0f} | {red('dsp')} | {red('lut')} | {change} | {when} |")
