#!/usr/bin/env python3
"""Keras-format test models and their NumPy reference outputs for KerasImportTest.

  keras_models.py reference MODEL.json WEIGHTS.h5 OUTDIR   x.npy (channels-last samples) and y.npy
  keras_models.py generate OUTDIR                          small Keras 2 models written with h5py
  keras_models.py keras3 MODEL.json WEIGHTS.h5 OUT.keras [deflate]
                                                           the same model as a Keras 3 .keras archive

The reference forward pass is written here from the Keras layer semantics (channels-last), with
no code shared with mmlc's importer: it reads the files' own weights with h5py.
"""
import json
import os
import sys

import h5py
import numpy as np


def weights_of(h5, root, layer):
    g = h5[root + layer] if root else h5[layer]
    names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
    return [np.array(g[n], dtype=np.float64) for n in names]


def activation(x, name):
    if name == "linear":
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise SystemExit("reference: activation " + name)


def conv(x, k, strides, padding):
    """x: (N, H, W, C), k: (kh, kw, C, F) -> (N, H', W', F), Keras cross-correlation."""
    kh, kw = k.shape[:2]
    if padding == "same":
        x = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    n, h, w, _ = x.shape
    oh, ow = (h - kh) // strides[0] + 1, (w - kw) // strides[1] + 1
    out = np.zeros((n, oh, ow, k.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0]:i * strides[0] + kh, j * strides[1]:j * strides[1] + kw, :]
            out[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    return out


def pool(x, size, strides, kind):
    n, h, w, c = x.shape
    oh, ow = (h - size[0]) // strides[0] + 1, (w - size[1]) // strides[1] + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0]:i * strides[0] + size[0], j * strides[1]:j * strides[1] + size[1], :]
            out[:, i, j, :] = patch.max(axis=(1, 2)) if kind == "max" else patch.mean(axis=(1, 2))
    return out


def forward(model, h5, root, x):
    layers = model["config"]["layers"] if isinstance(model["config"], dict) else model["config"]
    for layer in layers:
        cls, c = layer["class_name"], layer["config"]
        name = layer.get("name", c.get("name"))
        if cls == "InputLayer" or cls == "Dropout":
            continue
        if cls == "Dense":
            w = weights_of(h5, root, name)
            x = x @ w[0] + (w[1] if c.get("use_bias", True) else 0)
            x = activation(x, c.get("activation", "linear"))
        elif cls == "Activation":
            x = activation(x, c["activation"])
        elif cls == "BatchNormalization":
            w = weights_of(h5, root, name)
            gamma = w.pop(0) if c.get("scale", True) else 1
            beta = w.pop(0) if c.get("center", True) else 0
            mean, var = w
            x = gamma * (x - mean) / np.sqrt(var + c.get("epsilon", 1e-3)) + beta
        elif cls in ("Conv2D", "Conv1D"):
            w = weights_of(h5, root, name)
            one_d = cls == "Conv1D"
            k = w[0][None] if one_d else w[0]
            st = c.get("strides", [1, 1])
            xx = x[:, None] if one_d else x
            y = conv(xx, k, [1, st[0]] if one_d else st, c.get("padding", "valid"))
            y = y[:, 0] if one_d else y
            x = activation(y + (w[1] if c.get("use_bias", True) else 0), c.get("activation", "linear"))
        elif cls in ("MaxPooling2D", "AveragePooling2D", "MaxPooling1D", "AveragePooling1D"):
            one_d = cls.endswith("1D")
            size = c.get("pool_size", [2, 2])
            st = c.get("strides") or size
            xx = x[:, None] if one_d else x
            y = pool(xx, [1, size[0]] if one_d else size, [1, st[0]] if one_d else st,
                     "max" if cls.startswith("Max") else "avg")
            x = y[:, 0] if one_d else y
        elif cls == "Flatten":
            x = x.reshape(x.shape[0], -1)
        else:
            raise SystemExit("reference: layer " + cls)
    return x


def reference(json_path, h5_path, out):
    h5 = h5py.File(h5_path, "r")
    if json_path.endswith(".h5"):  # a whole-model file: the architecture is an attribute
        config = h5.attrs["model_config"]
        model = json.loads(config.decode() if isinstance(config, bytes) else config)
    else:
        model = json.load(open(json_path))
    root = "model_weights/" if "model_weights" in h5 else ""
    layers = model["config"]["layers"] if isinstance(model["config"], dict) else model["config"]
    shape = layers[0]["config"].get("batch_input_shape") or layers[0]["config"]["batch_shape"]
    x = np.random.default_rng(0).normal(size=(64, *shape[1:]))
    x = x.astype(np.float32).astype(np.float64)
    y = forward(model, h5, root, x)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "x.npy"), x.astype(np.float32))
    np.save(os.path.join(out, "y.npy"), y.astype(np.float32))


def snake_case(name):
    """keras.src.utils.naming.to_snake_case."""
    import re
    s = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()


def keras3(json_path, h5_path, out, deflate=False):
    """Writes a Keras 2 model as Keras 3's model.save("m.keras") does: a ZIP of metadata.json,
    config.json (module/registered_name per object, InputLayer batch_shape, functional inbound
    nodes as keras tensors) and model.weights.h5 (each layer's variables under
    layers/<snake-case class>[_k]/vars/<i>, numbered per class, not by layer name)."""
    import io
    import zipfile

    h5 = h5py.File(h5_path, "r")
    if json_path.endswith(".h5"):
        config = h5.attrs["model_config"]
        model = json.loads(config.decode() if isinstance(config, bytes) else config)
    else:
        model = json.load(open(json_path))
    root = "model_weights/" if "model_weights" in h5 else ""
    layers = model["config"]["layers"] if isinstance(model["config"], dict) else model["config"]
    functional = model["class_name"] != "Sequential"
    new_layers, used = [], {}
    buf = io.BytesIO()
    with h5py.File(buf, "w") as w:
        w.create_group("vars")
        for l in layers:
            name = l.get("name") or l["config"]["name"]
            cfg = dict(l["config"])
            if "batch_input_shape" in cfg:
                cfg["batch_shape"] = cfg.pop("batch_input_shape")
            cfg["dtype"] = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
            entry = {"module": "keras.layers", "class_name": l["class_name"], "config": cfg, "registered_name": None}
            if functional:
                entry["name"] = name
                entry["inbound_nodes"] = [
                    {"args": [{"class_name": "__keras_tensor__",
                               "config": {"shape": [None], "dtype": "float32", "keras_history": [t[0], t[1], t[2]]}}
                              for t in node], "kwargs": {}} for node in l.get("inbound_nodes", [])]
            new_layers.append(entry)
            key = snake_case(l["class_name"])
            if key in used:
                used[key] += 1
                key = "%s_%d" % (key, used[key])
            else:
                used[key] = 0
            g = w.create_group("layers/" + key + "/vars")
            group = h5[root + name] if (root + name) in h5 else None
            if group is not None and len(group.attrs.get("weight_names", [])):
                for i, v in enumerate(weights_of(h5, root, name)):
                    g[str(i)] = v.astype(np.float32)
    config = {"module": "keras", "class_name": "Functional" if functional else "Sequential",
              "config": {"name": model["config"].get("name", "model") if isinstance(model["config"], dict) else "model",
                         "trainable": True, "layers": new_layers},
              "registered_name": None}
    if functional:
        config["config"]["input_layers"] = [[new_layers[0]["name"], 0, 0]]
        config["config"]["output_layers"] = [[new_layers[-1]["name"], 0, 0]]
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", compression=method) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3", "date_saved": "2026-01-01@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buf.getvalue())


def dense(name, units, activation="linear", use_bias=True, inbound=None):
    layer = {"class_name": "Dense", "name": name,
             "config": {"name": name, "units": units, "activation": activation, "use_bias": use_bias}}
    if inbound is not None:
        layer["inbound_nodes"] = [[[inbound, 0, 0, {}]]]
    return layer


def write(out, stem, layers, weights, cls="Sequential", whole=False):
    """Writes stem.json + stem.h5 (save_weights layout), or stem.h5 alone as a whole model."""
    model = {"class_name": cls, "config": {"name": stem, "layers": layers}, "keras_version": "2.4.0",
             "backend": "tensorflow"}
    path = os.path.join(out, stem + ".h5")
    with h5py.File(path, "w") as f:
        root = f.create_group("model_weights") if whole else f
        if whole:
            f.attrs["model_config"] = json.dumps(model)
        names = [l["config"]["name"] for l in layers]
        root.attrs["layer_names"] = np.array([n.encode() for n in names])
        for n in names:
            g = root.create_group(n)
            ws = weights.get(n, [])
            wn = [f"{n}/{k}:0".encode() for k, _ in ws]
            g.attrs["weight_names"] = np.array(wn) if wn else np.array([], dtype=np.float64)
            for (k, v), full in zip(ws, wn):
                g.create_dataset(full.decode(), data=v.astype(np.float32))
    if not whole:
        json.dump(model, open(os.path.join(out, stem + ".json"), "w"))


def generate(out):
    os.makedirs(out, exist_ok=True)
    r = np.random.default_rng(7)
    u = lambda *s: r.normal(scale=0.5, size=s)
    inp = lambda shape: {"class_name": "InputLayer", "name": "input_1",
                         "config": {"name": "input_1", "batch_input_shape": [None, *shape]}}
    # A channels-last 2-D CNN with three input channels: same padding, BN, pooling, Flatten.
    layers = [inp([8, 6, 3]),
              {"class_name": "Conv2D", "config": {"name": "conv", "filters": 4, "kernel_size": [3, 3],
                                                  "strides": [1, 1], "padding": "same", "activation": "relu",
                                                  "use_bias": True, "data_format": "channels_last"}},
              {"class_name": "BatchNormalization", "config": {"name": "bn", "epsilon": 0.001}},
              {"class_name": "MaxPooling2D", "config": {"name": "pool", "pool_size": [2, 2], "padding": "valid"}},
              {"class_name": "Conv2D", "config": {"name": "conv2", "filters": 5, "kernel_size": [3, 2],
                                                   "padding": "valid", "activation": "tanh", "use_bias": False}},
              {"class_name": "Flatten", "config": {"name": "flat"}},
              {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.25}},
              {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]
    write(out, "cnn2d", layers, {
        "conv": [("kernel", u(3, 3, 3, 4)), ("bias", u(4))],
        "bn": [("gamma", 1 + 0.2 * u(4)), ("beta", u(4)), ("moving_mean", u(4)), ("moving_variance", 0.5 + r.random(4))],
        "conv2": [("kernel", u(3, 2, 4, 5))],
        "out": [("kernel", u(2 * 2 * 5, 3)), ("bias", u(3))]})
    # A 1-D CNN with two channels, average pooling and a sigmoid head.
    layers = [inp([12, 2]),
              {"class_name": "Conv1D", "config": {"name": "c1", "filters": 3, "kernel_size": [3], "strides": [1],
                                                  "padding": "valid", "activation": "relu"}},
              {"class_name": "AveragePooling1D", "config": {"name": "p1", "pool_size": [2], "strides": [2]}},
              {"class_name": "Flatten", "config": {"name": "f1"}},
              {"class_name": "Dense", "config": {"name": "d1", "units": 2, "activation": "sigmoid"}}]
    write(out, "cnn1d", layers, {"c1": [("kernel", u(3, 2, 3)), ("bias", u(3))],
                                 "d1": [("kernel", u(5 * 3, 2)), ("bias", u(2))]})
    # A functional MLP saved whole (model.save): model_config attribute + model_weights group.
    layers = [inp([5]), dense("h", 7, "relu", inbound="input_1"),
              {"class_name": "BatchNormalization", "name": "bnf", "config": {"name": "bnf", "center": False},
               "inbound_nodes": [[["h", 0, 0, {}]]]},
              dense("o", 4, "softmax", inbound="bnf")]
    write(out, "whole", layers, {"h": [("kernel", u(5, 7)), ("bias", u(7))],
                                 "bnf": [("gamma", 1 + 0.1 * u(7)), ("moving_mean", u(7)), ("moving_variance", 0.5 + r.random(7))],
                                 "o": [("kernel", u(7, 4)), ("bias", u(4))]}, cls="Model", whole=True)
    # Models the importer must refuse with a clear error.
    branch = [inp([4]), dense("a", 3, inbound="input_1"), dense("b", 3, inbound="input_1"),
              {"class_name": "Add", "name": "add", "config": {"name": "add"},
               "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]}]
    write(out, "branch", branch, {"a": [("kernel", u(4, 3)), ("bias", u(3))],
                                  "b": [("kernel", u(4, 3)), ("bias", u(3))]}, cls="Model")
    write(out, "qkeras", [inp([4]), {"class_name": "QDense", "config": {"name": "q", "units": 2,
                                                                      "kernel_quantizer": "quantized_po2(4)"}}],
          {"q": [("kernel", u(4, 2)), ("bias", u(2))]})
    # QKeras' alpha="auto": a per-channel float scale no fixed-point type holds.
    write(out, "qkeras_auto", [inp([4]), {"class_name": "QDense", "config": {
        "name": "qa", "units": 2, "kernel_quantizer": "quantized_bits(4, 0, alpha='auto')"}}],
          {"qa": [("kernel", u(4, 2)), ("bias", u(2))]})
    write(out, "elu", [inp([4]), {"class_name": "Dense", "config": {"name": "e", "units": 2, "activation": "elu"}}],
          {"e": [("kernel", u(4, 2)), ("bias", u(2))]})
    write(out, "badshape", [inp([4]), {"class_name": "Dense", "config": {"name": "d", "units": 2}}],
          {"d": [("kernel", u(3, 2)), ("bias", u(2))]})


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "reference":
        reference(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "keras3":
        keras3(sys.argv[2], sys.argv[3], sys.argv[4], deflate=len(sys.argv) == 6 and sys.argv[5] == "deflate")
    elif len(sys.argv) == 3 and sys.argv[1] == "generate":
        generate(sys.argv[2])
    else:
        raise SystemExit(__doc__)
