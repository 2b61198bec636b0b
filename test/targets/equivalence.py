"""Test helper: for each case (a generated package, converted weights, a batch of model inputs) predict with
the PyTorch model, then train two steps and save the weights, and predict again. Prints JSON."""
import importlib
import json
import os
import sys

import torch

cases = json.load(open(sys.argv[1]))
results = {}
for case in cases:
    pkg = case["package"]
    for name in ("model", "layers", "objective", "weights", "data"):
        sys.modules.pop(name, None)
    sys.path.insert(0, pkg)
    model_mod = importlib.import_module("model")
    objective = importlib.import_module("objective")
    weights = importlib.import_module("weights")
    sys.path.remove(pkg)
    ir = json.load(open(os.path.join(pkg, "ir.json")))
    torch.manual_seed(0)
    model = model_mod.Model()
    weights.load_into(model, weights.load(case["weights"]))
    x = {}
    for k, v in case["inputs"].items():
        t = torch.tensor(v["data"], dtype=torch.long if v["dtype"] == "int32" else torch.float32)
        x[k] = t.reshape(v["shape"])
    obj = objective.Objective(ir)
    model.eval()
    with torch.no_grad():
        before = {k: v.reshape(-1).tolist() for k, v in obj.outputs(model(x)).items()}
    # Two training steps (batch norm statistics move too), then save like train.py does.
    model.train()
    labels = {k: torch.tensor(v, dtype=torch.float32) for k, v in case["labels"].items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        out = model(x)
        masks = obj.masks(labels, len(next(iter(labels.values()))), "cpu")
        sums = obj.task_sums(out, labels, masks)
        loss = obj.total([s / max(float(m.sum()), 1.0) for s, m in zip(sums, masks)], getattr(model, "log_vars", None))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        after = {k: v.reshape(-1).tolist() for k, v in obj.outputs(model(x)).items()}
    weights.save(os.path.join(case["run"], "model.safetensors"), weights.state_for_export(model))
    params = sum(p.numel() for p in model.parameters())
    results[case["name"]] = {"before": before, "after": after, "parameters": params}
print(json.dumps(results))
