# Generates the quantised test models of QuantisedImportTest: QONNX graphs (Quant, BipolarQuant,
# Trunc, as QKeras/Brevitas/HGQ export them) and a QKeras JSON + HDF5 pair, each with inputs and
# its output computed here in float64 NumPy from the QONNX / QKeras definitions (the reference).
# Usage: quantised_models.py DIR   (python3-onnx, python3-numpy, python3-h5py from Debian)
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX = "qonnx.custom_op.general"
rng = np.random.default_rng(7)


def normal(*shape, scale=1.0):
    """float32 values (what the files store) as float64 for the reference."""
    return (rng.normal(size=shape) * scale).astype(np.float32).astype(np.float64)


def int_range(bits, signed, narrow):
    if signed:
        return -(2 ** (bits - 1)) + (1 if narrow else 0), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - (2 if narrow else 1)


def rounding(mode):
    return {"ROUND": np.round, "FLOOR": np.floor, "CEIL": np.ceil}[mode]


def quant(x, scale, zeropt, bits, signed=1, narrow=0, mode="ROUND"):
    """QONNX IntQuant: clamp(round(x / scale + zeropt)) - zeropt, times scale."""
    lo, hi = int_range(bits, signed, narrow)
    y = np.clip(x / scale + zeropt, lo, hi)
    return (rounding(mode)(y) - zeropt) * scale


def trunc(x, scale, zeropt, in_bits, out_scale, out_bits, signed=1, narrow=0, mode="FLOOR"):
    """QONNX Trunc (version 2)."""
    y = np.round(x / scale + zeropt)
    t = 2.0 ** np.round(np.log2(out_scale / scale))
    y = y / t
    lo, hi = int_range(out_bits, signed, narrow)
    y = rounding(mode)(np.clip(y, lo, hi))
    return (y - zeropt / t) * out_scale


class Graph:
    """A small builder of ONNX graphs with QONNX quantisers."""

    def __init__(self, features):
        self.nodes, self.inits, self.n = [], [], 0
        self.features = features
        self.current = "x"

    def const(self, value, dtype=np.float32):
        name = "c%d" % len(self.inits)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def out(self):
        self.n += 1
        return "t%d" % self.n

    def node(self, op, inputs, domain="", **attrs):
        o = self.out()
        self.nodes.append(helper.make_node(op, inputs, [o], domain=domain, name="%s_%d" % (op.lower(), self.n), **attrs))
        return o

    def quant(self, tensor, scale, zeropt, bits, **attrs):
        return self.node("Quant", [tensor, self.const(scale), self.const(zeropt), self.const(bits)], QONNX, **attrs)

    def save(self, path, output, out_features):
        graph = helper.make_graph(
            self.nodes, "quantised",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, self.features])],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, [None, out_features])], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX, 1)])
        onnx.save(model, path)


def qmlp(d):
    """MLP in the QKeras-via-QONNX form: Quant on the input, MatMul + Add with quantised weights and
    biases, ReLU + unsigned Quant, then a Gemm with per-channel power-of-two weight scales
    (narrow range) and a signed output Quant."""
    x = normal(200, 16, scale=1.5)
    w1 = normal(16, 24, scale=0.4)
    b1 = normal(24, scale=0.2)
    w2 = normal(5, 24, scale=0.5)  # Gemm transB=1: (out, in)
    b2 = normal(5, scale=0.1)
    s2 = (2.0 ** -np.array([2, 3, 3, 4, 2])).reshape(5, 1)
    g = Graph(16)
    t = g.quant("x", 2.0 ** -4, 0.0, 8, signed=1, narrow=0, rounding_mode="ROUND")
    qw1 = g.quant(g.const(w1), 2.0 ** -4, 0.0, 6, signed=1, narrow=0, rounding_mode="ROUND")
    qb1 = g.quant(g.const(b1), 2.0 ** -6, 0.0, 8, signed=1, narrow=0, rounding_mode="ROUND")
    t = g.node("MatMul", [t, qw1])
    t = g.node("Add", [t, qb1])
    t = g.node("Relu", [t])
    t = g.quant(t, 2.0 ** -3, 0.0, 6, signed=0, narrow=0, rounding_mode="ROUND")
    qw2 = g.quant(g.const(w2), s2, 0.0, 4, signed=1, narrow=1, rounding_mode="ROUND")
    qb2 = g.quant(g.const(b2), 2.0 ** -7, 0.0, 8, signed=1, narrow=0, rounding_mode="ROUND")
    t = g.node("Gemm", [t, qw2, qb2], transB=1)
    t = g.quant(t, 2.0 ** -5, 0.0, 10, signed=1, narrow=0, rounding_mode="HALF_UP")
    g.save(os.path.join(d, "qmlp.onnx"), t, 5)
    # Reference
    h = quant(x, 2.0 ** -4, 0, 8)
    h = h @ quant(w1, 2.0 ** -4, 0, 6) + quant(b1, 2.0 ** -6, 0, 8)
    h = quant(np.maximum(h, 0), 2.0 ** -3, 0, 6, signed=0)
    h = h @ quant(w2, s2, 0, 4, narrow=1).T + quant(b2, 2.0 ** -7, 0, 8)
    lo, hi = int_range(10, 1, 0)
    v = np.clip(h / 2.0 ** -5, lo, hi)
    h = np.where(v >= 0, np.floor(v + 0.5), np.ceil(v - 0.5)) * 2.0 ** -5  # HALF_UP: half away from zero
    np.save(os.path.join(d, "qmlp_x.npy"), x.astype(np.float32))
    np.save(os.path.join(d, "qmlp_y.npy"), h)


def binary_trunc(d):
    """Binary (BipolarQuant) weights, and a Trunc to fewer bits after a quantised layer."""
    x = normal(200, 12)
    w = normal(12, 8)
    g = Graph(12)
    t = g.quant("x", 2.0 ** -3, 0.0, 6, signed=1, narrow=0, rounding_mode="ROUND")
    qw = g.node("BipolarQuant", [g.const(w), g.const(2.0 ** -1)], QONNX)
    t = g.node("MatMul", [t, qw])
    t = g.quant(t, 2.0 ** -4, 0.0, 12, signed=1, narrow=0, rounding_mode="ROUND")
    t = g.node("Trunc", [t, g.const(2.0 ** -4), g.const(0.0), g.const(12), g.const(2.0 ** -2), g.const(8)], QONNX,
               rounding_mode="FLOOR")
    g.save(os.path.join(d, "binary_trunc.onnx"), t, 8)
    h = quant(x, 2.0 ** -3, 0, 6) @ np.where(w >= 0, 0.5, -0.5)
    h = quant(h, 2.0 ** -4, 0, 12)
    h = trunc(h, 2.0 ** -4, 0, 12, 2.0 ** -2, 8)
    np.save(os.path.join(d, "binary_trunc_x.npy"), x.astype(np.float32))
    np.save(os.path.join(d, "binary_trunc_y.npy"), h)


def bad_models(d):
    """Quantisers the HLS side cannot express exactly, or the importer rejects."""
    def one(name, **q):
        g = Graph(4)
        args = dict(scale=2.0 ** -3, zeropt=0.0, bits=8, signed=1, narrow=0, rounding_mode="ROUND")
        args.update(q)
        t = g.quant("x", args.pop("scale"), args.pop("zeropt"), args.pop("bits"), **args)
        t = g.node("Relu", [t])
        g.save(os.path.join(d, name + ".onnx"), t, 4)
    one("bad_scale", scale=0.3)           # not a power of two: imports, no exact HLS type
    one("bad_ceil", rounding_mode="CEIL")  # no ap_fixed quantisation mode
    one("bad_bits", bits=40)               # over the supported range
    one("bad_perchannel", scale=np.full((1, 4), 0.25))  # per-channel activation scale
    g = Graph(4)  # Trunc version 1 (5 inputs): no out_scale
    t = g.quant("x", 2.0 ** -3, 0.0, 8)
    t = g.node("Trunc", [t, g.const(2.0 ** -3), g.const(0.0), g.const(8), g.const(4)], QONNX)
    g.save(os.path.join(d, "bad_trunc_v1.onnx"), t, 4)


def quantized_bits(x, bits, integer, symmetric=0, keep_negative=1):
    """QKeras quantized_bits with alpha=1: steps of 2^(integer - bits + keep_negative)."""
    step = 2.0 ** (integer - bits + keep_negative)
    lo, hi = int_range(bits, keep_negative, symmetric)
    return np.clip(np.round(x / step), lo, hi) * step


def qkeras(d):
    """A QKeras MLP saved as Keras 2 `to_json` + HDF5 weights (the float kernels, as QKeras saves
    them: quantisation happens in the layers)."""
    import h5py

    x = normal(200, 10)
    w1, b1 = normal(10, 12, scale=0.5), normal(12, scale=0.1)
    w2, b2 = normal(12, 3, scale=0.5), normal(3, scale=0.1)
    qb = lambda b, i: {"class_name": "quantized_bits", "config": {"bits": b, "integer": i, "symmetric": 0,
                                                                   "keep_negative": True, "alpha": 1}}
    layers = [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [None, 10]}},
        {"class_name": "QActivation", "config": {"name": "q_in", "activation": "quantized_bits(8,2,alpha=1)"}},
        {"class_name": "QDense", "config": {"name": "fc1", "units": 12, "use_bias": True, "activation": "linear",
                                            "kernel_quantizer": qb(6, 0), "bias_quantizer": "quantized_bits(8,1,alpha=1)"}},
        {"class_name": "QActivation", "config": {"name": "relu1", "activation": "quantized_relu(6,2)"}},
        {"class_name": "QDense", "config": {"name": "fc2", "units": 3, "use_bias": True, "activation": "linear",
                                            "kernel_quantizer": qb(4, 0), "bias_quantizer": qb(8, 1)}},
        {"class_name": "QActivation", "config": {"name": "q_out", "activation": qb(12, 4)}},
    ]
    model = {"class_name": "Functional", "config": {"name": "qkeras_mlp", "layers": [
        dict(l, name=l["config"]["name"], inbound_nodes=[] if i == 0 else [[[layers[i - 1]["config"]["name"], 0, 0, {}]]])
        for i, l in enumerate(layers)], "input_layers": [["in", 0, 0]], "output_layers": [["q_out", 0, 0]]},
        "keras_version": "2.9.0", "backend": "tensorflow"}
    with open(os.path.join(d, "qkeras_mlp.json"), "w") as f:
        json.dump(model, f)
    with h5py.File(os.path.join(d, "qkeras_mlp.h5"), "w") as f:
        f.attrs["layer_names"] = np.array([n.encode() for n in ["in", "q_in", "fc1", "relu1", "fc2", "q_out"]])
        for name, (w, b) in {"fc1": (w1, b1), "fc2": (w2, b2)}.items():
            grp = f.create_group(name)
            grp.attrs["weight_names"] = np.array([(name + "/kernel:0").encode(), (name + "/bias:0").encode()])
            sub = grp.create_group(name)
            sub["kernel:0"] = w.astype(np.float32)
            sub["bias:0"] = b.astype(np.float32)
        for name in ["in", "q_in", "relu1", "q_out"]:
            f.create_group(name).attrs["weight_names"] = np.array([], dtype=np.float64)
    w1f, b1f, w2f, b2f = w1, b1, w2, b2
    h = quantized_bits(x, 8, 2)
    h = h @ quantized_bits(w1f, 6, 0) + quantized_bits(b1f, 8, 1)
    h = quantized_bits(np.maximum(h, 0), 6, 2, keep_negative=0)
    h = h @ quantized_bits(w2f, 4, 0) + quantized_bits(b2f, 8, 1)
    h = quantized_bits(h, 12, 4)
    np.save(os.path.join(d, "qkeras_mlp_x.npy"), x.astype(np.float32))
    np.save(os.path.join(d, "qkeras_mlp_y.npy"), h)


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    qmlp(out)
    binary_trunc(out)
    bad_models(out)
    qkeras(out)
