"""The rare-task experiment's control run (repro/rare-task.ts --same-order): the generated package's model, optimiser
recipe and loss, trained exactly as train.py trains one process, but on the batches mtl trained on (their row
order dumped by rare-task.ts), so that the two targets differ in nothing but their arithmetic.

Usage: same-order.py PACKAGE INIT.safetensors PREPROCESS.json TRAIN.csv ORDER.json TEST.csv OUT.csv
ORDER.json: {"batch": B, "epochs": [[record index, ...], ...]} (0-based records of TRAIN.csv, in training order).
Writes the test predictions (one column per output) to OUT.csv.
"""
import json
import os
import sys

import torch

pkg, init, pre_file, train_file, order_file, test_file, out_file = sys.argv[1:8]
sys.path.insert(0, pkg)
import data  # noqa: E402
import objective  # noqa: E402
import optim  # noqa: E402
import weights  # noqa: E402
from model import Model  # noqa: E402

torch.set_num_threads(2)
with open(os.path.join(pkg, "ir.json"), encoding="utf-8") as f:
    ir = json.load(f)
with open(order_file, encoding="utf-8") as f:
    order = json.load(f)
pre = data.Preprocessor(ir, ".", data.load_state_file(pre_file))
x, y, _ = pre.encode(data.read_records(train_file), train_file)
n = next(iter(y.values())).shape[0]
model = Model()
weights.load_into(model, weights.load(init))
obj = objective.Objective(ir)
batch = order["batch"]
recipe = optim.Recipe(model, ir["train"], ir["train"]["optimizer"], ir["train"]["lr"], (n - 1) // batch + 1, len(order["epochs"]))
step = 0
model.train()
for perm in order["epochs"]:
    perm = torch.tensor(perm, dtype=torch.long)
    for s in range(0, len(perm), batch):
        rows = perm[s : s + batch]
        xb, yb = {k: v[rows] for k, v in x.items()}, {k: v[rows] for k, v in y.items()}
        masks = obj.masks(yb, len(rows), "cpu")
        sums = obj.task_sums(model(xb), yb, masks)
        counts = [float(m.sum()) for m in masks]  # as train.py on one process: Σ w·ℓ / Σ w, or / 1 when Σ w = 0
        loss = obj.total([s_ / (c if c > 0 else 1.0) for s_, c in zip(sums, counts)], getattr(model, "log_vars", None))
        recipe.zero_grad()
        loss.backward()
        recipe.step(step)
        step += 1
model.eval()
tx, _, _ = pre.encode(data.read_records(test_file), test_file)
with torch.no_grad():
    outs = {k: v.reshape(-1).tolist() for k, v in obj.outputs(model(tx)).items() if not k.startswith("gate__")}
names = sorted(outs)
with open(out_file, "w", encoding="utf-8") as f:
    f.write(",".join(names) + "\n")
    for i in range(len(outs[names[0]])):
        f.write(",".join(repr(outs[k][i]) for k in names) + "\n")
