# Writes small data sets in every format the source tasks read (no numpy needed: .npy and IDX are
# packed by hand). Three well-separated classes of 4 features ("blobs"), deterministic.
#   write_datasets.py DIR
import gzip
import os
import random
import struct
import sys

CLASSES = ["cat", "dog", "eel"]


def blobs(n, seed, offset=0.0, spread=1.0):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        c = i % 3  # balanced, and sorted files are avoided by interleaving
        mean = [2.0 * c, -1.5 * c, 2.0 * (c % 2), 1.0]
        rows.append(([round(offset + spread * (m + rng.gauss(0, 0.5)), 4) for m in mean], c))
    return rows


def write_csv(path, rows, delimiter=",", label_first=False, label_name="label", label=lambda c: CLASSES[c]):
    with open(path, "w") as f:
        names = ["f0", "f1", "f2", "f3"]
        header = [label_name] + names if label_first else names + [label_name]
        f.write(delimiter.join(header) + "\n")
        for x, c in rows:
            fields = [str(v) for v in x]
            fields = [str(label(c))] + fields if label_first else fields + [str(label(c))]
            f.write(delimiter.join(fields) + "\n")


def write_npy(path, descr, shape, values):
    fmt = {"<f4": "f", "<i8": "q"}[descr]
    dims = "".join("%d," % d for d in shape)
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def write_idx(path, type_code, dims, values, compress):
    data = b"\0\0" + bytes([type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    data += bytes(values)
    with (gzip.open(path, "wb") if compress else open(path, "wb")) as f:
        f.write(data)


def images(rows):  # 4x4 ubyte images: class c lights the pixels i with i % 3 == c
    pixels = []
    rng = random.Random(5)
    for _, c in rows:
        pixels += [min(255, max(0, int((200 if i % 3 == c else 40) + rng.gauss(0, 20)))) for i in range(16)]
    return pixels


def arff(path, rows, target_first=False):
    with open(path, "w") as f:
        f.write("% blobs in OpenML's format\n@relation blobs\n")
        if target_first:
            f.write("@attribute kind {cat,dog,eel}\n")
        for n in ["f0", "f1", "f2", "f3"]:
            f.write("@attribute %s numeric\n" % n)
        f.write("@attribute flag {no,yes}\n")
        if not target_first:
            f.write("@attribute kind {cat,dog,eel}\n")
        f.write("@data\n")
        for x, c in rows:
            values = [str(v) for v in x] + ["yes" if c == 1 else "no"]
            values = [CLASSES[c]] + values if target_first else values + [CLASSES[c]]
            f.write(",".join(values) + "\n")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    train, test = blobs(300, 1), blobs(60, 2)
    write_csv(os.path.join(out, "blobs.csv"), train)
    write_csv(os.path.join(out, "blobs_test.csv"), test)
    write_csv(os.path.join(out, "blobs_semicolon.csv"), train, ";", True, "kind", lambda c: c)
    # Far from the origin and stretched: training only works on standardised features.
    write_csv(os.path.join(out, "offset.csv"), blobs(300, 3, offset=5000.0, spread=300.0))
    write_csv(os.path.join(out, "unknown_class.csv"), [(x, 2) for x, _ in test[:3]], label=lambda c: "fox")
    with open(os.path.join(out, "ragged.csv"), "w") as f:
        f.write("f0,f1,label\n1,2,cat\n3,4,dog\n5,eel\n")

    x = [v for r, _ in train for v in r]
    write_npy(os.path.join(out, "x.npy"), "<f4", [300, 4], x)
    write_npy(os.path.join(out, "y.npy"), "<i8", [300], [c for _, c in train])
    write_npy(os.path.join(out, "y_onehot.npy"), "<f4", [300, 3], [float(c == k) for _, c in train for k in range(3)])
    write_npy(os.path.join(out, "y_fraction.npy"), "<f4", [300], [0.5] * 300)
    with open(os.path.join(out, "x.npy"), "rb") as f:
        whole = f.read()
    with open(os.path.join(out, "truncated.npy"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    write_idx(os.path.join(out, "train-images.idx.gz"), 0x08, [300, 4, 4], images(train), True)
    write_idx(os.path.join(out, "train-labels.idx.gz"), 0x08, [300], [c for _, c in train], True)
    write_idx(os.path.join(out, "test-images.idx"), 0x08, [60, 4, 4], images(test), False)
    write_idx(os.path.join(out, "test-labels.idx"), 0x08, [60], [c for _, c in test], False)
    write_idx(os.path.join(out, "bad-labels.idx"), 0x08, [299], [0] * 299, False)

    cache = os.path.join(out, "openml-cache")
    os.makedirs(cache, exist_ok=True)
    arff(os.path.join(cache, "openml-42.arff"), train)  # label given in the flow: no description needed
    arff(os.path.join(cache, "openml-43.arff"), train, target_first=True)
    with open(os.path.join(cache, "openml-43.json"), "w") as f:
        f.write('{"data_set_description": {"id": "43", "file_id": "943", "default_target_attribute": "kind"}}')


main()
