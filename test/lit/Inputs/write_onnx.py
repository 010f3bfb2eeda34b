# Writes small ONNX models for the `onnx` source tests (protobuf encoded by hand: no onnx package).
#   write_onnx.py DIR  ->  DIR/linear.onnx  (Gemm transB=1 + Softmax, 4 features -> 3 classes)
#                          DIR/linear.csv   (samples labelled by that model's argmax, clear margins)
#                          DIR/unsupported.onnx (a chain with an operator mmlc does not import)
#                          DIR/garbage.onnx (not a protobuf)
import os
import random
import struct
import sys


def varint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field_varint(num, value):
    return varint(num << 3) + varint(value)


def field_bytes(num, data):
    if isinstance(data, str):
        data = data.encode()
    return varint((num << 3) | 2) + varint(len(data)) + data


def tensor(name, dims, values):  # TensorProto: dims=1, data_type=2 (FLOAT=1), name=8, raw_data=9
    out = b"".join(field_varint(1, d) for d in dims) + field_varint(2, 1) + field_bytes(8, name)
    return out + field_bytes(9, struct.pack("<%df" % len(values), *values))


def attr_int(name, value):  # AttributeProto: name=1, i=3, type=20 (INT=2)
    return field_bytes(1, name) + field_varint(3, value) + field_varint(20, 2)


def node(op, inputs, outputs, name, attrs=()):  # NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
    out = b"".join(field_bytes(1, i) for i in inputs) + b"".join(field_bytes(2, o) for o in outputs)
    return out + field_bytes(3, name) + field_bytes(4, op) + b"".join(field_bytes(5, a) for a in attrs)


def value_info(name, dims):  # ValueInfoProto{name=1, type=2{tensor_type=1{elem_type=1, shape=2{dim=1{value=1 | param=2}}}}}
    shape = b""
    for d in dims:
        shape += field_bytes(1, field_bytes(2, "N") if d is None else field_varint(1, d))
    tensor_type = field_varint(1, 1) + field_bytes(2, shape)
    return field_bytes(1, name) + field_bytes(2, field_bytes(1, tensor_type))


def model(nodes, inits, inputs, output, out_dims):  # GraphProto: node=1, name=2, initializer=5, input=11, output=12
    graph = b"".join(field_bytes(1, n) for n in nodes) + field_bytes(2, "g")
    graph += b"".join(field_bytes(5, t) for t in inits)
    graph += b"".join(field_bytes(11, value_info(n, d)) for n, d in inputs)
    graph += field_bytes(12, value_info(output, out_dims))
    # ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8{domain=1, version=2}
    return field_varint(1, 7) + field_bytes(2, "write_onnx.py") + field_bytes(7, graph) + \
        field_bytes(8, field_bytes(1, "") + field_varint(2, 13))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    weights = [[1.0, -0.5, 0.25, 0.0], [-0.75, 1.0, 0.0, 0.5], [0.0, 0.25, -1.0, 1.0]]  # [classes, features]
    bias = [0.1, -0.2, 0.05]
    flat = [w for row in weights for w in row]
    nodes = [node("Gemm", ["x", "W", "b"], ["logits"], "fc", [attr_int("transB", 1)]),
             node("Softmax", ["logits"], ["y"], "softmax", [attr_int("axis", 1)])]
    inits = [tensor("W", [3, 4], flat), tensor("b", [3], bias)]
    inputs = [("x", [None, 4]), ("W", [3, 4]), ("b", [3])]
    with open(os.path.join(out, "linear.onnx"), "wb") as f:
        f.write(model(nodes, inits, inputs, "y", [None, 3]))

    rng = random.Random(11)
    rows = []
    while len(rows) < 200:
        x = [round(rng.uniform(-2, 2), 3) for _ in range(4)]
        logits = sorted((sum(w * v for w, v in zip(weights[c], x)) + bias[c], c) for c in range(3))
        if logits[2][0] - logits[1][0] > 0.2:  # float32 rounding cannot change the argmax
            rows.append(x + [logits[2][1]])
    with open(os.path.join(out, "linear.csv"), "w") as f:
        f.write("a,b,c,d,label\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")

    bad = [node("Gemm", ["x", "W", "b"], ["logits"], "fc", [attr_int("transB", 1)]),
           node("Celu", ["logits"], ["y"], "celu")]
    with open(os.path.join(out, "unsupported.onnx"), "wb") as f:
        f.write(model(bad, inits, inputs, "y", [None, 3]))
    with open(os.path.join(out, "garbage.onnx"), "wb") as f:
        f.write(b"\xff\xff\xff\xff this is not an ONNX model")


if __name__ == "__main__":
    main()
