# Writes a small residual ONNX graph for the `onnx` graph test, and broken variants of it.
#   write_onnx_graph.py DIR -> DIR/residual.onnx (Gemm, Relu, Add of the input, Gemm, Softmax: 4 -> 3)
#                              DIR/residual.csv  (samples labelled by that model's argmax, clear margins)
#                              DIR/dangling.onnx (the Add reads a tensor nothing produces)
#                              DIR/unsorted.onnx (the Add comes before the node producing its input)
#                              DIR/mismatch.onnx (the Add joins 5 features with the 4 inputs)
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from write_onnx import attr_int, model, node, tensor  # noqa: E402

W1 = [[0.5, -0.25, 0.0, 0.75], [-0.5, 0.5, 0.25, 0.0], [0.25, 0.0, -0.75, 0.5], [0.0, 0.5, 0.5, -0.25]]
B1 = [0.1, 0.0, -0.1, 0.2]
W2 = [[1.0, -0.5, 0.25, 0.0], [-0.75, 1.0, 0.0, 0.5], [0.0, 0.25, -1.0, 1.0]]
B2 = [0.1, -0.2, 0.05]


def forward(x):
    h = [max(0.0, sum(w * v for w, v in zip(W1[o], x)) + B1[o]) for o in range(4)]
    s = [a + b for a, b in zip(h, x)]
    return [sum(w * v for w, v in zip(W2[c], s)) + B2[c] for c in range(3)]


def graph(add_inputs=("h", "x"), order=(0, 1, 2, 3, 4), hidden=4):
    w1 = [w for row in W1 for w in row] if hidden == 4 else [0.1] * (hidden * 4)
    b1 = B1 if hidden == 4 else [0.0] * hidden
    nodes = [node("Gemm", ["x", "W1", "b1"], ["z"], "fc1", [attr_int("transB", 1)]),
             node("Relu", ["z"], ["h"], "relu"),
             node("Add", list(add_inputs), ["s"], "add"),
             node("Gemm", ["s", "W2", "b2"], ["logits"], "fc2", [attr_int("transB", 1)]),
             node("Softmax", ["logits"], ["y"], "softmax", [attr_int("axis", 1)])]
    inits = [tensor("W1", [hidden, 4], w1), tensor("b1", [hidden], b1),
             tensor("W2", [3, 4], [w for row in W2 for w in row]), tensor("b2", [3], B2)]
    inputs = [("x", [None, 4])]
    return model([nodes[i] for i in order], inits, inputs, "y", [None, 3])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = {"residual.onnx": graph(), "dangling.onnx": graph(add_inputs=("h", "ghost")),
             "unsorted.onnx": graph(order=(0, 2, 1, 3, 4)), "mismatch.onnx": graph(hidden=5)}
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    rng = random.Random(12)
    rows = []
    while len(rows) < 200:
        x = [round(rng.uniform(-2, 2), 3) for _ in range(4)]
        logits = sorted((v, c) for c, v in enumerate(forward(x)))
        if logits[2][0] - logits[1][0] > 0.2:  # float32 rounding cannot change the argmax
            rows.append(x + [logits[2][1]])
    with open(os.path.join(out, "residual.csv"), "w") as f:
        f.write("a,b,c,d,label\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")


main()
