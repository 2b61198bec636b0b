"""Outputs, losses and metrics of a model, from the spec (ir.json) and the metric plan (plan.json).

Losses are those of the tfjs target: bce on one sigmoid tower is sigmoid cross-entropy with logits; bce on a
product of towers (``ctr * cvr``) is computed in log space (log p = Σ log σ(z_i), log(1 - p) = log1mexp(log p)),
never from the rounded product; mse on a value. Each loss is generated from its definition in mtl's op
registry (mtl_ops.LOSSES). A task's loss is its weighted mean Σ loss·w / Σ w, w = the mask times the
sample weights (`weight_by`), exactly 0 when no row of the batch has weight (Σ w = 0 divides by 1, as
mtl's src/ir/ops/losses/weighted-mean.ts). Task weights are static or learned (uncertainty).
"""
import math

import torch
import torch.nn.functional as F

from data import WEIGHT_KEY
from mtl_ops import LOSSES


def task_weight_columns(ir, task):
    """The weight columns of a task's rows, multiplied: the train block's `weight_by`, then the task's."""
    return [c for c in (ir["train"].get("weightBy"), task.get("weightBy")) if c is not None]


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
        """Each task's row weights: its mask (ones when it has none) times its sample weights (`weight_by`)."""
        out = []
        for t in self.tasks:
            m = label_expr(t["mask"], labels) if t.get("mask") else torch.ones(size, device=device)
            for col in task_weight_columns(self.ir, t):
                m = m * labels[WEIGHT_KEY + col]
            out.append(m)
        return out

    def task_sums(self, forward, labels, masks):
        """Σ loss·w of each task over this batch (train.py divides it by the global Σ w, or by 1 when that is 0)."""
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


def weighted_auc(pred, label, weight):
    """AUC with row weights: sum of w_i w_j ([s_i > s_j] + [s_i = s_j] / 2) over positives i, negatives j,
    over (positive weight)(negative weight); None when a class has no weight."""
    rows = sorted(zip(pred, label, weight), key=lambda r: r[0])
    pos_w = sum(w for _, y, w in rows if y > 0.5)
    neg_w = sum(w for _, y, w in rows if y <= 0.5)
    if pos_w <= 0 or neg_w <= 0:
        return None
    area, neg_below, i = 0.0, 0.0, 0
    while i < len(rows):
        j, bp, bn = i, 0.0, 0.0
        while j < len(rows) and rows[j][0] == rows[i][0]:
            if rows[j][1] > 0.5:
                bp += rows[j][2]
            else:
                bn += rows[j][2]
            j += 1
        area += bp * (neg_below + bn / 2.0)
        neg_below += bn
        i = j
    return area / (pos_w * neg_w)


def weighted_mean(values, weight):
    """Σ w·v / Σ w; None without weight."""
    total = sum(weight)
    return sum(w * v for v, w in zip(values, weight)) / total if total > 0 else None


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


def _logloss_row(p, y, eps=1e-7):
    """The clipped logloss of one row, as mtl's LOGLOSS_EPS clipping."""
    return -(y * math.log(min(max(p, eps), 1 - eps)) + (1 - y) * math.log(min(max(1 - p, eps), 1 - eps)))


# The metrics that are a mean over rows: the value of one row.
ROW_METRICS = {"logloss": _logloss_row, "mse": lambda p, y: (p - y) ** 2, "mae": lambda p, y: abs(p - y)}


def mean_metric(fn, pred, label, weight=None):
    """Σ w·v / Σ w of a per-row metric (each w = 1 without weights); None without rows or weight."""
    w = weight if weight is not None else [1.0] * len(pred)
    return weighted_mean([ROW_METRICS[fn](p, y) for p, y in zip(pred, label)], w)


def gauc(pred, label, groups, weights=None):
    """AUC per group, weighted by the group's row count (its total sample weight), over groups with both classes."""
    by = {}
    for p, y, g, w in zip(pred, label, groups, weights if weights is not None else [1.0] * len(pred)):
        by.setdefault(g, ([], [], []))
        by[g][0].append(p)
        by[g][1].append(y)
        by[g][2].append(w)
    total, weight = 0.0, 0
    for ps, ys, ws in by.values():
        a = weighted_auc(ps, ys, ws) if weights is not None else auc(ps, ys)
        size = sum(ws) if weights is not None else len(ps)
        if a is not None:
            total += a * size
            weight += size
    return total / weight if weight else None


def compute_metrics(plan, outputs, labels, groups):
    """Every planned metric on full (already gathered) data: {output: {key: value or None}}."""
    results = {}
    for m in plan:
        pred = outputs[m["output"]]
        y = label_expr(m["label"], labels)
        keep = label_expr(m["mask"], labels) > 0.5 if m.get("mask") else torch.ones_like(y, dtype=torch.bool)
        p, yy = pred[keep].tolist(), y[keep].tolist()
        w = None
        if m.get("weights"):
            wt = torch.ones_like(y)
            for col in m["weights"]:
                wt = wt * labels[WEIGHT_KEY + col]
            w = wt[keep].tolist()
        fn = m["fn"]
        if fn == "gauc":
            g = [x for x, k in zip(groups.get(m.get("groupBy"), [""] * len(keep)), keep.tolist()) if k]
            v = gauc(p, yy, g, w)
        elif fn == "auc":
            v = auc(p, yy) if w is None else weighted_auc(p, yy, w)
        else:
            v = mean_metric(fn, p, yy, w)
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


def init_output_biases(model, output_layers, ir, labels, clip=1e-4, reduce=list):
    """Start each tower's output bias at its base rate, as the tfjs target does (src/train/tower-priors.ts).

    A sigmoid tower heading a bce task alone starts at logit(rate of the label under the task's mask); one
    inside a product head starts at logit(rate / product of the other towers' rates) once those are known;
    a linear tower heading an mse task starts at the label's mean. Rates come from the training rows.
    `output_layers` maps a tower to the name of its output Dense (model.TOWER_OUTPUTS). Under torchrun each
    process passes its own training rows and ``reduce`` (a sum of a list of floats over the processes), so
    the rates are those of all training rows.
    """
    towers = {n["name"]: n for n in ir["nodes"] if n["kind"] == "tower"}
    fitted = [t for t in ir["tasks"] if t["loss"]["type"] in ("bce", "mse")]
    sums = []
    for t in fitted:
        y = label_expr(t["loss"]["label"], labels).double()
        m = label_expr(t["mask"], labels).double() if t.get("mask") else torch.ones_like(y)
        sums += [float((m * y).sum()), float(m.sum())]
    sums = reduce(sums)
    means = {t["name"]: sums[2 * k] / sums[2 * k + 1] for k, t in enumerate(fitted) if sums[2 * k + 1] > 0}
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
