#!/usr/bin/env python3
"""Data for the jet-tagging examples: probe OpenML, or generate a jet-like stand-in data set.

  jet_data.py probe                 prints {"online": 1} when www.openml.org answers within 5 s
  jet_data.py generate OUT N SEED   writes OUT (CSV: 16 features + label; relative to $MMLC_CWD) and prints
                                    {"samples": N, "generated": 1}

The real data set is OpenML 42468 (hls4ml LHC jet tagging: 16 jet-substructure features, five
classes g, q, W, Z, t, ~75% accuracy for a 16-64-32-32-5 MLP). Offline, the examples run on
this stand-in instead and say so in their LOG and report: each class draws its 16 features from
a correlated Gaussian around a class centre, with centres placed so that g/q and W/Z overlap
the way those classes do in the real set. Only the Python standard library is used.
"""
import json
import math
import os
import random
import sys
import urllib.request


def probe():
    try:
        urllib.request.urlopen("https://www.openml.org/api/v1/json/data/42468", timeout=5).read(64)
        online = 1
    except Exception:  # no network, DNS failure, proxy, ...
        online = 0
    print(json.dumps({"online": online}))


def generate(out, n, seed):
    # A relative path is the flow's: relative to where mmlc runs (the command runs elsewhere).
    out = os.path.join(os.environ.get("MMLC_CWD", "."), out)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    rng = random.Random(seed)
    classes = ["g", "q", "t", "w", "z"]
    # Class centres in a 5-D latent space; g~q and w~z are close, as in the real jets.
    centres = {"g": [0.0, 0.0, 0.0, 0.0, 0.0], "q": [0.9, 0.3, 0.0, 0.0, 0.0],
               "w": [0.0, 2.0, 1.2, 0.0, 0.0], "z": [0.0, 2.3, 1.9, 0.3, 0.0],
               "t": [0.0, 1.0, 0.5, 2.2, 0.8]}
    # A fixed random mixing from the latent space to the 16 observed features.
    mix_rng = random.Random(42468)
    mixing = [[mix_rng.gauss(0, 1) / math.sqrt(5) for _ in range(5)] for _ in range(16)]
    with open(out, "w") as f:
        f.write(",".join(f"f{i}" for i in range(16)) + ",label\n")
        for _ in range(n):
            label = rng.choice(classes)
            latent = [c + rng.gauss(0, 0.75) for c in centres[label]]
            row = []
            for i in range(16):
                value = sum(m * z for m, z in zip(mixing[i], latent)) + rng.gauss(0, 0.35)
                if i % 4 == 3:
                    value = math.exp(0.5 * value)  # a few skewed, positive features (masses, pT ratios)
                row.append(f"{value:.5f}")
            f.write(",".join(row) + f",{label}\n")
    print(json.dumps({"samples": n, "generated": 1}))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "probe":
        probe()
    elif len(sys.argv) == 5 and sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
