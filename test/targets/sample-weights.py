"""Test helper: one training step's loss and gradients in the generated PyTorch package, with sample weights.

Reads a JSON case (package, converted weights, a batch of model inputs, labels, weight columns, and the
tfjs <-> torch parameter names), computes the loss exactly as train.py does on one rank (objective.masks,
task_sums, Σ w·ℓ / Σ w with 1 when Σ w = 0, objective.total) and prints the loss, the per-task losses and
each trainable parameter's gradient, keyed by its tfjs name and laid out as tfjs lays it out.
"""
import importlib
import json
import sys

import torch

case = json.load(open(sys.argv[1]))
sys.path.insert(0, case["package"])
model_mod = importlib.import_module("model")
objective = importlib.import_module("objective")
weights = importlib.import_module("weights")
data = importlib.import_module("data")
ir = json.load(open(case["package"] + "/ir.json"))
torch.manual_seed(0)
model = model_mod.Model()
weights.load_into(model, weights.load(case["weights"]))
x = {}
for k, v in case["inputs"].items():
    x[k] = torch.tensor(v["data"], dtype=torch.long if v["dtype"] == "int32" else torch.float32).reshape(v["shape"])
labels = {k: torch.tensor(v, dtype=torch.float32) for k, v in case["labels"].items()}
for col, v in case["weights_by_column"].items():
    labels[data.WEIGHT_KEY + col] = torch.tensor(v, dtype=torch.float32)
obj = objective.Objective(ir)
model.train()
out = model(x)
size = len(next(iter(case["labels"].values())))
masks = obj.masks(labels, size, "cpu")
sums = obj.task_sums(out, labels, masks)
counts = [float(m.sum()) for m in masks]
task_losses = [s / (c if c > 0 else 1.0) for s, c in zip(sums, counts)]
loss = obj.total(task_losses, getattr(model, "log_vars", None))
model.zero_grad()
loss.backward()
params = dict(model.named_parameters())
grads = {}
for p in case["params"]:
    t = params.get(p["torch"])
    if t is None or t.grad is None:
        continue
    g = t.grad.t() if p["transpose"] else t.grad
    grads[p["tfjs"]] = g.contiguous().reshape(-1).tolist()
print(json.dumps({"loss": loss.item(), "tasks": [float(t) for t in task_losses], "grads": grads}))
