# Random-forest baseline of bench/hls (N-TORC's own method): per layer kind and metric, a
# scikit-learn RandomForestRegressor on (n_in, n_out, seq_len, reuse), trained on the rows of the
# other folds and predicting the held-out fold. Reads IN.csv, writes OUT.csv (one prediction
# column per metric, rows in input order). Only the benchmark runs this.
import csv
import sys

from sklearn.ensemble import RandomForestRegressor

METRICS = ["dsp", "lut", "ff", "bram18", "latency"]
FEATURES = ["n_in", "n_out", "seq_len", "reuse"]

rows = list(csv.DictReader(open(sys.argv[1])))
pred = [{m: "" for m in METRICS} for _ in rows]
folds = sorted({r["fold"] for r in rows})
kinds = sorted({r["kind"] for r in rows})
for kind in kinds:
    for m in METRICS:
        idx = [i for i, r in enumerate(rows) if r["kind"] == kind and r[m] != ""]
        for f in folds:
            train = [i for i in idx if rows[i]["fold"] != f]
            test = [i for i in idx if rows[i]["fold"] == f]
            if not train or not test:
                continue
            model = RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1)
            model.fit([[float(rows[i][c]) for c in FEATURES] for i in train], [float(rows[i][m]) for i in train])
            for i, y in zip(test, model.predict([[float(rows[i][c]) for c in FEATURES] for i in test])):
                pred[i][m] = repr(float(y))
with open(sys.argv[2], "w", newline="") as out:
    w = csv.DictWriter(out, fieldnames=METRICS)
    w.writeheader()
    w.writerows(pred)
