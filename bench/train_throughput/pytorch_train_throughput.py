#!/usr/bin/python3
# PyTorch side of the training-throughput benchmark: same nets, batch sizes, Adam(1e-3), thread count
# and timing protocol (one warm-up pass, then timed epochs) as bench_train_throughput.cpp.
import gzip
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def train(model, x, y, batch, epochs, shuffle_seed=0):
    """Adam 1e-3, cross-entropy from logits, seeded shuffling; returns samples/s."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(shuffle_seed)
    n = x.shape[0]
    seen = 0
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for b in range(0, n, batch):
            idx = perm[b:b + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            seen += idx.shape[0]
    return seen / (time.perf_counter() - start)


def rate(model, x, y, batch, epochs, repetitions=3):
    """Best of `repetitions` timed runs after a warm-up, like the C++ side."""
    train(model, x[: 4 * batch], y[: 4 * batch], batch, 1)
    return max(train(model, x, y, batch, epochs) for _ in range(repetitions))


def main():
    fmnist = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    acc_epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(f"torch_version={torch.__version__}")

    rng = np.random.default_rng(1)
    n = 200000
    jy = rng.integers(0, 5, n)
    jx = rng.standard_normal((n, 16)).astype(np.float32)
    jx, jy = torch.from_numpy(jx), torch.from_numpy(jy)
    jet = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                        nn.Linear(32, 5))
    print(f"torch_jet_mlp_samples_per_s={rate(jet, jx, jy, 1024, 5):.1f}")

    tx = torch.from_numpy(read_idx(f"{fmnist}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    ty = torch.from_numpy(read_idx(f"{fmnist}/train-labels-idx1-ubyte.gz").astype(np.int64))
    ex = torch.from_numpy(read_idx(f"{fmnist}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    ey = torch.from_numpy(read_idx(f"{fmnist}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    flat, eflat = tx.reshape(-1, 784), ex.reshape(-1, 784)

    def mlp():
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))

    print(f"torch_fmnist_mlp_samples_per_s={rate(mlp(), flat, ty, 256, 1):.1f}")

    cnn = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
    cnn_n = 20000
    print(f"torch_fmnist_cnn_samples_per_s={rate(cnn, tx[:cnn_n].unsqueeze(1), ty[:cnn_n], 128, 1):.1f}")

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1), nn.ReLU()]

    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.body = nn.Sequential(*block(c, c), *block(c, c))

        def forward(self, x):
            return x + self.body(x)

    # The resnet builder's network (bench_train_throughput.cpp): "same" max-pools round up (28, 14, 7, 4).
    resnet = nn.Sequential(*block(1, 16),
                           *block(16, 32), nn.MaxPool2d(2, ceil_mode=True), Residual(32),
                           *block(32, 64), nn.MaxPool2d(2, ceil_mode=True),
                           *block(64, 128), nn.MaxPool2d(2, ceil_mode=True), Residual(128),
                           nn.MaxPool2d(4), nn.Flatten(), nn.Linear(128, 10))
    res_n = 2048
    print(f"torch_fmnist_resnet_samples_per_s={rate(resnet, tx[:res_n].unsqueeze(1), ty[:res_n], 64, 1):.1f}")

    model = mlp()
    start = time.perf_counter()
    train(model, flat, ty, 256, acc_epochs, shuffle_seed=4)
    print(f"torch_fmnist_mlp_train_seconds={time.perf_counter() - start:.2f}")
    with torch.no_grad():
        acc = (model(eflat).argmax(1) == ey).float().mean().item()
    print(f"torch_fmnist_mlp_test_accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
