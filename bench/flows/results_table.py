# Prints the markdown results tables of docs/results.md from the runs of bench/flows/experiments.sh:
# one row per reported design (a `report` directory of a run), reductions against the run's
# `baseline` report; the CNN experiments get a table of their own that also says whether each
# design fits its device and its initiation interval.
import os
import re
import sys

out = sys.argv[1]
times = dict(line.split() for line in open(os.path.join(out, "times.txt")))


def metrics(path):
    text = open(path).read()
    title = re.search(r"^# (.*)$", text, re.M).group(1)
    values = {k: float(v) for k, v in re.findall(r"^\| (\w+) \| ([-0-9.e+]+) \|$", text, re.M)}
    values["fits"] = 0.0 if "**Does not fit" in text else 1.0
    return title, values


def table(experiments, cnn):
    extra_head = " fits | II (cycles) |" if cnn else ""
    print("| experiment | design | accuracy | DSP | LUT | FF | latency (cycles) |" + extra_head +
          " DSP reduction | LUT reduction | accuracy change | run time |")
    print("| --- " * (11 + (2 if cnn else 0)) + "|")
    for experiment in experiments:
        run = os.path.join(out, experiment)
        if not os.path.isdir(run) or experiment not in times:
            continue
        designs = sorted(d for d in os.listdir(run) if os.path.isfile(os.path.join(run, d, "report.md")))
        # The baseline first, then (CNNs) the report folders in the order of their steps.
        order = (lambda d: os.path.getmtime(os.path.join(run, d, "report.md"))) if cnn else (lambda d: 0)
        designs.sort(key=lambda d: (d != "baseline", order(d)))
        _, base = metrics(os.path.join(run, "baseline", "report.md"))
        for i, design in enumerate(designs):
            title, m = metrics(os.path.join(run, design, "report.md"))
            if title.startswith("main."):  # a report without a title: name it by its folder
                title = design.replace("_", " ")
            red = lambda k: "—" if design == "baseline" or not base[k] else f"{100 * (1 - m[k] / base[k]):.2f}%"
            change = "—" if design == "baseline" else f"{100 * (m['accuracy'] - base['accuracy']):+.2f} pts"
            when = f"{float(times[experiment]):.0f} s" if i == 0 else ""
            extra = f" {'yes' if m.get('fits') else 'no'} | {m['ii']:.0f} |" if cnn else ""
            print(f"| {experiment if i == 0 else ''} | {title} | {m['accuracy']:.4f} | {m['dsp']:.0f} | {m['lut']:.0f} | "
                  f"{m['ff']:.0f} | {m['latency']:.0f} |{extra} {red('dsp')} | {red('lut')} | {change} | {when} |")


table(["auto_pruning", "scaling_vs_pruning", "spq", "jet_tagging", "bottom_up"], cnn=False)
print()
table(["resnet", "vgg"], cnn=True)
