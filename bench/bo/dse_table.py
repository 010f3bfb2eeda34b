# Extracts the replay table of bench/bo from a run of dse_space.mml: one CSV row per search
# evaluation (the parameters, `objective` = the minimised metric, `constraint` = -1 when every
# `require` held, 1 otherwise — what mmlc's search itself tells its strategy).
import csv
import json
import sys

log, out = sys.argv[1], sys.argv[2]
rows, names = {}, None
for line in open(log):
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        continue  # a line cut by a killed run
    if event.get("event") != "search_eval":
        continue
    params = event["params"]
    names = names or list(params)
    key = tuple(params[n] for n in names)
    rows[key] = (event["objectives"][0], -1 if event["feasible"] else 1)
if not rows:
    sys.exit(f"{log}: no search_eval events")
with open(out, "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(names + ["objective", "constraint"])
    for key, (objective, constraint) in rows.items():
        writer.writerow(list(key) + [objective, constraint])
feasible = [o for o, c in rows.values() if c < 0]
print(f"dse_table: {len(rows)} configurations, {len(feasible)} feasible, best objective "
      f"{min(feasible) if feasible else 'none'} -> {out}", file=sys.stderr)
