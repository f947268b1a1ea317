#!/usr/bin/env python3
"""TensorFlow Playground's spiral result, for driftlab's mlp to be held to (issue 16).

Run from the repository root with a Python that has NumPy:

    python scripts/fixtures_playground.py     # tests/fixtures/models/playground_spiral.json

TensorFlow Playground (github.com/tensorflow/playground, src/dataset.ts, src/nn.ts,
src/playground.ts) ported to NumPy with its defaults: the spiral set of 500 points with
noise 0 (`classifySpiralData`), shuffled and cut half for training, half for testing; the
inputs x1 and x2; hidden layers 8-8-8 of tanh and a tanh output for the labels -1 and +1;
weights uniform in [-0.5, 0.5), biases 0.1; squared error 0.5 (output - label)^2; plain
SGD at 0.03 whose derivatives are averaged over batches of 10 training points taken in
the same order every epoch (the playground updates after every 10th point; the points of
a batch all see the batch's starting weights, so a batch at a time is the same sum). Its
test loss (the mean squared error above over the test points) after each recorded epoch
count is the mean over five seeds of the initial weights.

The points and the split are written too, so that `tests/parity_models.rs` trains driftlab
on exactly these rows and measures the same loss on its network: for probabilities p of
the +1 class, the output a tanh unit would give is 2p - 1, and 0.5 (2p - 1 - label)^2 is
2 (p - y)^2, twice the Brier score. The output is committed; CI does not need Python.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "models" / "playground_spiral.json"
POINTS = 500
HIDDEN = (8, 8, 8)
RATE = 0.03
BATCH = 10
EPOCHS = (100, 300, 1000)
SEEDS = range(5)


def spiral(n: int) -> np.ndarray:
    """classifySpiralData(n, 0): two arms of n/2 points, labels +1 and -1."""
    rows = []
    half = n // 2
    for delta, label in ((0.0, 1.0), (np.pi, -1.0)):
        for i in range(half):
            r = i / half * 5
            t = 1.75 * i / half * 2 * np.pi + delta
            rows.append((r * np.sin(t), r * np.cos(t), label))
    return np.array(rows)


def train(x, y, xt, yt, seed):
    rng = np.random.default_rng(seed)
    sizes = (2, *HIDDEN, 1)
    # Link.weight = Math.random() - 0.5; Node.bias = 0.1
    w = [rng.random((a, b)) - 0.5 for a, b in zip(sizes[:-1], sizes[1:])]
    b = [np.full(s, 0.1) for s in sizes[1:]]
    losses = {}

    def forward(inp):
        acts = [inp]
        for wi, bi in zip(w, b):
            acts.append(np.tanh(acts[-1] @ wi + bi))
        return acts

    for epoch in range(1, max(EPOCHS) + 1):
        for start in range(0, len(x), BATCH):
            xb, yb = x[start : start + BATCH], y[start : start + BATCH]
            acts = forward(xb)
            der = acts[-1][:, 0:1] - yb[:, None]  # Errors.SQUARE.der
            for layer in range(len(w) - 1, -1, -1):
                delta = der * (1 - acts[layer + 1] ** 2)  # tanh'
                der = delta @ w[layer].T
                w[layer] -= RATE * (acts[layer].T @ delta) / len(xb)
                b[layer] -= RATE * delta.mean(axis=0)
        if epoch in EPOCHS:
            out = forward(xt)[-1][:, 0]
            losses[epoch] = float(np.mean(0.5 * (out - yt) ** 2))
    return losses


def main():
    pts = spiral(POINTS)
    order = np.random.default_rng(2016).permutation(len(pts))  # shuffle(data)
    pts = pts[order]
    cut = len(pts) // 2
    train_pts, test_pts = pts[:cut], pts[cut:]
    runs = [train(train_pts[:, :2], train_pts[:, 2], test_pts[:, :2], test_pts[:, 2], s) for s in SEEDS]
    result = {str(e): {"mean": float(np.mean([r[e] for r in runs])), "runs": [r[e] for r in runs]} for e in EPOCHS}
    doc = {
        "generator": "scripts/fixtures_playground.py",
        "network": "2-8-8-8-1 tanh, squared error, SGD 0.03, batch 10",
        "points": [[round(float(a), 12), round(float(c), 12), int(l)] for a, c, l in pts],
        "train": list(range(cut)),
        "test": list(range(cut, len(pts))),
        "playground_test_loss": result,
    }
    OUT.write_text(json.dumps(doc) + "\n")
    for e in EPOCHS:
        print(f"epoch {e}: test loss {result[str(e)]['mean']:.4f} {result[str(e)]['runs']}")


if __name__ == "__main__":
    main()
