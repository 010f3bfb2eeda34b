# Reads the trace/hv/suggest lines of bench/bo and prints medians as RESULT name=value lines.
import math
import statistics
import sys
from collections import defaultdict

BRANIN_MIN = 0.39788735772973816
OPTIMA = {"branin": BRANIN_MIN, "hartmann6": -3.32236801141551, "ackley5": 0.0, "levy5": 0.0}

traces = defaultdict(list)  # (problem, strategy) -> [trace]
hvs = defaultdict(list)
suggest = {}
replay_grid, replay_rows, replay_optimal, replay_bayes = None, None, 1, []
for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    if parts[0] == "trace" and "hv" in parts:
        hvs[(parts[1], parts[2])].append(float(parts[parts.index("hv") + 1]))
    elif parts[0] == "trace":
        traces[(parts[1], parts[2])].append([float(v) for v in parts[4:]])
    elif parts[0] == "replay" and parts[1] == "grid":
        replay_grid, replay_rows = int(parts[2]), int(parts[4])
        replay_optimal = int(parts[6]) if len(parts) > 6 else 1
    elif parts[0] == "replay" and parts[1] == "bayes":
        replay_bayes.append(int(parts[2]))
    elif parts[0] == "suggest":
        fields = dict(p.split("=") for p in parts[1:])
        suggest[int(fields["n"])] = fields


def first_hit(trace, target):
    """1-based number of evaluations until best-so-far <= target; len+1 when never."""
    for i, v in enumerate(trace):
        if v <= target:
            return i + 1
    return len(trace) + 1


def median(values):
    return statistics.median(values)


def result(name, value):
    print(f"RESULT {name}={value}")


bo = traces.get(("branin", "bayes"))
if bo:
    hits = [first_hit(t, BRANIN_MIN + 1e-3) for t in bo]
    m = median(hits)
    never = sum(h > len(bo[0]) for h in hits)
    result("branin_evals_to_1e-3", f"{m:g}")
    print(f"INFO branin: seeds not reaching 1e-3 within {len(bo[0])}: {never}/{len(hits)}")

h6 = traces.get(("hartmann6", "bayes"))
if h6:
    result("hartmann6_best_at_100", f"{median([t[min(99, len(t) - 1)] for t in h6]):.5f}")

# Random search comparison: ratio of median final regrets (random / BO) on Ackley-5 and Levy-5,
# combined by geometric mean.
ratios = []
for p in ("ackley5", "levy5"):
    b, r = traces.get((p, "bayes")), traces.get((p, "random"))
    if b and r:
        rb = median([t[-1] - OPTIMA[p] for t in b])
        rr = median([t[-1] - OPTIMA[p] for t in r])
        print(f"INFO {p}: median regret at {len(b[0])} evals: bayes {rb:.4g}, random {rr:.4g}")
        ratios.append(rr / max(rb, 1e-12))
if ratios:
    result("ackley5_levy5_vs_random", f"{math.exp(sum(map(math.log, ratios)) / len(ratios)):.3g}")

# TPE comparison: target = TPE's median best at its full budget; for both, the median over seeds
# of the evaluations needed to reach it (never reached = budget + 1); ratio TPE / ours.
ratios = []
for p in OPTIMA:
    b, t = traces.get((p, "bayes")), traces.get((p, "tpe"))
    if b and t:
        target = median([tr[-1] for tr in t])
        nt = median([first_hit(tr, target) for tr in t])
        nb = median([first_hit(tr, target) for tr in b])
        print(f"INFO vs TPE {p}: target {target:.6g} (TPE median at {len(t[0])}): TPE {nt:g} evals, bayes {nb:g} evals")
        ratios.append(nt / nb)
if ratios:
    result("vs_tpe_evals_ratio", f"{math.exp(sum(map(math.log, ratios)) / len(ratios)):.3g}")

for p, name in (("zdt1", "zdt1_hv_at_100"), ("dtlz2", "dtlz2_hv_at_100")):
    if hvs.get((p, "bayes")):
        result(name, f"{median(hvs[(p, 'bayes')]):.4f}")
for p in ("zdt1", "dtlz2", "zdt1_30"):
    if hvs.get((p, "bayes")) and hvs.get((p, "random")):
        parego = hvs.get((p, "bayes-parego"))
        extra = f", ParEGO {median(parego):.4f}" if parego else ""
        print(f"INFO {p} hypervolume at 100: bayes (EHVI) {median(hvs[(p, 'bayes')]):.4f}{extra}, "
              f"random {median(hvs[(p, 'random')]):.4f}")

for n in (100, 500):
    if n in suggest:
        f = suggest[n]
        result(f"suggest_ms_n{n}", f"{float(f['mean_ms']):.1f}")
        print(f"INFO suggest n={n}: wall mean {f['mean_ms']} ms (median {f['median_ms']}, max {f['max_ms']}), "
              f"cpu mean {f['cpu_mean_ms']} ms over {f['steps']} asks (one refit period)")
if replay_grid is not None and replay_bayes:
    m = median(replay_bayes)
    result("dse_replay_evals_ratio_vs_grid", f"{replay_grid / m:.3g}")
    shuffled = (replay_rows + 1) / (replay_optimal + 1)
    print(f"INFO replay: {replay_rows} configurations of dse_space.mml, {replay_optimal} tie for the "
          f"best; grid (lexicographic, as `using grid`) {replay_grid} evals, grid in a random order "
          f"{shuffled:.1f} expected ({shuffled / m:.3g}x bayes median), bayes median {m:g} evals "
          f"(min {min(replay_bayes)}, max {max(replay_bayes)})")
else:
    print("INFO dse_replay_evals_ratio_vs_grid: not measured (no replay table)")
