"""Test helper: for each case (a generated package, converted initial weights, batches of model inputs and labels,
a train block) train with the package's optim.Recipe, one update per batch, and print the learning rates, the
predictions on the first batch afterwards and the embedding tables as JSON."""
import importlib
import json
import sys

import torch

cases = json.load(open(sys.argv[1]))
results = {}
for case in cases:
    pkg = case["package"]
    for name in ("model", "layers", "objective", "weights", "data", "optim", "mtl_ops"):
        sys.modules.pop(name, None)
    sys.path.insert(0, pkg)
    model_mod = importlib.import_module("model")
    objective = importlib.import_module("objective")
    weights = importlib.import_module("weights")
    optim = importlib.import_module("optim")
    sys.path.remove(pkg)
    ir = json.load(open(pkg + "/ir.json"))
    torch.manual_seed(0)
    model = model_mod.Model()
    weights.load_into(model, weights.load(case["weights"]))
    obj = objective.Objective(ir)

    def tensors(inputs):
        return {k: torch.tensor(v["data"], dtype=torch.long if v["dtype"] == "int32" else torch.float32).reshape(v["shape"]) for k, v in inputs.items()}

    recipe = optim.Recipe(model, case["train"], case["optimizer"], case["lr"], case["stepsPerEpoch"], case["epochs"])
    model.train()
    lrs = []
    for k, batch in enumerate(case["batches"]):
        x = tensors(batch["inputs"])
        labels = {n: torch.tensor(v, dtype=torch.float32) for n, v in batch["labels"].items()}
        out = model(x)
        masks = obj.masks(labels, len(next(iter(labels.values()))), "cpu")
        sums = obj.task_sums(out, labels, masks)
        loss = obj.total([s / max(float(m.sum()), 1.0) for s, m in zip(sums, masks)], getattr(model, "log_vars", None))
        recipe.zero_grad()
        loss.backward()
        lrs.append(recipe.step(k))
    model.eval()
    with torch.no_grad():
        after = {n: v.reshape(-1).tolist() for n, v in obj.outputs(model(tensors(case["batches"][0]["inputs"]))).items()}
    tables = {n: m.weight.detach().reshape(-1).tolist() for n, m in model.embedding.items()}
    results[case["name"]] = {"lrs": lrs, "after": after, "tables": tables}
print(json.dumps(results))
