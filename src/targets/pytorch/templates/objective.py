"""Outputs, losses and metrics of a model, from the spec (ir.json) and the metric plan (plan.json).

Losses are those of the tfjs target: bce on one sigmoid tower is sigmoid cross-entropy with logits; bce on a
product of towers (``ctr * cvr``) is computed in log space (log p = Σ log σ(z_i), log(1 - p) = log1mexp(log p)),
never from the rounded product; mse on a value. Each loss is generated from its definition in mtl's op
registry (mtl_ops.LOSSES). A task's loss is its masked mean, Σ loss·mask / max(Σ mask, 1),
exactly 0 when no row of the batch is in the mask. Task weights are static or learned (uncertainty).
"""
import math

import torch
import torch.nn.functional as F

from mtl_ops import LOSSES


def label_expr(expr, labels):
    """Evaluate a label expression row by row: a label is its value, `&` the product, `|` the maximum, `!` 1 - x."""
    if "label" in expr:
        return labels[expr["label"]]
    if expr["op"] == "not":
        return 1.0 - label_expr(expr["arg"], labels)
    parts = [label_expr(a, labels) for a in expr["args"]]
    out = parts[0]
    for p in parts[1:]:
        out = out * p if expr["op"] == "and" else torch.maximum(out, p)
    return out


class Objective:
    """Per-task losses and named outputs of a model's forward result."""

    def __init__(self, ir):
        self.ir = ir
        self.towers = {n["name"]: n for n in ir["nodes"] if n["kind"] == "tower"}
        self.tasks = ir["tasks"]
        self.uncertainty = ir["train"].get("weighting", "static") == "uncertainty"

    def is_probability(self, head):
        return all(self.towers[t]["output"] == "sigmoid" for t in head)

    def head_value(self, head, logits):
        """The value of a head: a tower's probability (or value), or the product of its towers' probabilities."""
        if len(head) == 1:
            z = logits[head[0]]
            return torch.sigmoid(z) if self.towers[head[0]]["output"] == "sigmoid" else z
        return torch.exp(sum(F.logsigmoid(logits[t]) for t in head))

    def outputs(self, forward):
        """Named outputs in export order: every tower, every task not named like a tower, then `gate__NAME`."""
        logits = forward["logits"]
        out = {name: self.head_value([name], logits) for name in self.towers}
        for t in self.tasks:
            if t["name"] not in out:
                out[t["name"]] = self.head_value(t["head"], logits)
        for name, w in forward["gates"].items():
            out["gate__" + name] = w
        return out

    def per_example(self, task, logits, y):
        """The unreduced loss of one task."""
        head, kind = task["head"], task["loss"]["type"]
        if kind in LOSSES:
            return LOSSES[kind](self, head, logits, y)
        raise NotImplementedError(f"task '{task['name']}': loss '{kind}' is not supported by the PyTorch target")

    def masks(self, labels, size, device):
        """Each task's row mask (ones when it has none)."""
        return [label_expr(t["mask"], labels) if t.get("mask") else torch.ones(size, device=device) for t in self.tasks]

    def task_sums(self, forward, labels, masks):
        """Σ loss·mask of each task over this batch (to be divided by the global mask count)."""
        logits = forward["logits"]
        return [(self.per_example(t, logits, label_expr(t["loss"]["label"], labels)) * m).sum() for t, m in zip(self.tasks, masks)]

    def total(self, task_losses, log_vars=None):
        """The minimised loss: Σ w_t L_t, or with uncertainty weighting Σ w_t exp(-s_t) L_t + s_t."""
        total = 0.0
        for t, (task, loss) in enumerate(zip(self.tasks, task_losses)):
            w = float(task.get("weight", 1.0))
            if self.uncertainty and log_vars is not None:
                total = total + w * torch.exp(-log_vars[t]) * loss + log_vars[t]
            else:
                total = total + w * loss
        return total


# ---------------------------------------------------------------------------- metrics


def auc(pred, label):
    """Area under the ROC curve (ties get half credit); None with one class only."""
    pairs = sorted(zip(pred, label), key=lambda p: p[0])
    pos = sum(1 for _, y in pairs if y > 0.5)
    neg = len(pairs) - pos
    if pos == 0 or neg == 0:
        return None
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2.0  # 1-based average rank of the tie block
        rank_sum += avg_rank * sum(1 for k in range(i, j) if pairs[k][1] > 0.5)
        i = j
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def logloss(pred, label, eps=1e-7):
    if not pred:
        return None
    return -sum(y * math.log(min(max(p, eps), 1 - eps)) + (1 - y) * math.log(min(max(1 - p, eps), 1 - eps)) for p, y in zip(pred, label)) / len(pred)


def mse(pred, label):
    return sum((p - y) ** 2 for p, y in zip(pred, label)) / len(pred) if pred else None


def mae(pred, label):
    return sum(abs(p - y) for p, y in zip(pred, label)) / len(pred) if pred else None


def gauc(pred, label, groups):
    """AUC per group, weighted by the group's row count, over groups with both classes."""
    by = {}
    for p, y, g in zip(pred, label, groups):
        by.setdefault(g, ([], []))
        by[g][0].append(p)
        by[g][1].append(y)
    total, weight = 0.0, 0
    for ps, ys in by.values():
        a = auc(ps, ys)
        if a is not None:
            total += a * len(ps)
            weight += len(ps)
    return total / weight if weight else None


def compute_metrics(plan, outputs, labels, groups):
    """Every planned metric on full (already gathered) data: {output: {key: value or None}}."""
    results = {}
    for m in plan:
        pred = outputs[m["output"]]
        y = label_expr(m["label"], labels)
        keep = label_expr(m["mask"], labels) > 0.5 if m.get("mask") else torch.ones_like(y, dtype=torch.bool)
        p, yy = pred[keep].tolist(), y[keep].tolist()
        fn = m["fn"]
        if fn == "auc":
            v = auc(p, yy)
        elif fn == "logloss":
            v = logloss(p, yy)
        elif fn == "mse":
            v = mse(p, yy)
        elif fn == "mae":
            v = mae(p, yy)
        else:
            g = [x for x, k in zip(groups.get(m.get("groupBy"), [""] * len(keep)), keep.tolist()) if k]
            v = gauc(p, yy, g)
        if v is not None and not math.isfinite(v):
            v = None
        results.setdefault(m["output"], {})[m["key"]] = v
    return results


def early_stop_score(terms, results):
    """Σ coef · metric over the early-stopping terms; None when a term is undefined."""
    score = 0.0
    for t in terms:
        v = results.get(t["output"], {}).get(t.get("key")) if t.get("key") else None
        if v is None:
            return None
        score += t["coef"] * v
    return score


def init_output_biases(model, output_layers, ir, labels, clip=1e-4):
    """Start each tower's output bias at its base rate, as the tfjs target does (src/train/tower-priors.ts).

    A sigmoid tower heading a bce task alone starts at logit(rate of the label under the task's mask); one
    inside a product head starts at logit(rate / product of the other towers' rates) once those are known;
    a linear tower heading an mse task starts at the label's mean. Rates come from the training rows.
    `output_layers` maps a tower to the name of its output Dense (model.TOWER_OUTPUTS).
    """
    towers = {n["name"]: n for n in ir["nodes"] if n["kind"] == "tower"}
    means = {}
    for t in ir["tasks"]:
        if t["loss"]["type"] not in ("bce", "mse"):
            continue
        y = label_expr(t["loss"]["label"], labels).double()
        m = label_expr(t["mask"], labels).double() if t.get("mask") else torch.ones_like(y)
        if float(m.sum()) > 0:
            means[t["name"]] = float((m * y).sum() / m.sum())
    rates, out = {}, {}
    for t in ir["tasks"]:
        mean, tower = means.get(t["name"]), towers.get(t["head"][0]) if len(t["head"]) == 1 else None
        if mean is None or tower is None or tower["name"] in out:
            continue
        if t["loss"]["type"] == "bce" and tower["output"] == "sigmoid":
            rates[tower["name"]] = mean
        if t["loss"]["type"] == "mse" and tower["output"] == "linear":
            out[tower["name"]] = mean
    changed = True
    while changed:
        changed = False
        for t in ir["tasks"]:
            mean = means.get(t["name"])
            if mean is None or t["loss"]["type"] != "bce" or len(t["head"]) < 2:
                continue
            unknown = [h for h in t["head"] if h not in rates]
            if len(unknown) != 1 or towers.get(unknown[0], {}).get("output") != "sigmoid":
                continue
            known = math.prod(rates[h] for h in t["head"] if h in rates)
            if known <= 0:
                continue
            rates[unknown[0]] = min(1 - clip, mean / known)
            changed = True
    for name, p in rates.items():
        q = min(1 - clip, max(clip, p))
        out[name] = math.log(q / (1 - q))
    with torch.no_grad():
        for name, value in out.items():
            model.dense[output_layers[name]].bias.fill_(value)
