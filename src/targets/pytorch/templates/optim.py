"""The optimisation recipe of the spec's train block, as mtl's tfjs and direct steps run it
(mtl src/model/optim-step.ts): the scheduled learning rate of each update, global gradient-norm clipping
(clip_grad_norm_ over every parameter), L2 on the embedding rows a batch touched, decoupled (AdamW-style)
weight decay of the dense weights, and the embedding tables' optimiser.

Without `embedding_optimizer` every parameter shares the dense optimiser (so `optimizer adam` is dense Adam
on the tables, as mtl's own steps compute it: rule `adam`); with it the tables get their own optimiser.
A touched row is a row whose gradient is not all zero (mtl counts rows looked up by the batch: the same rows
unless a row's summed gradient is exactly zero).
"""
import math

import torch

from mtl_ops import ADAGRAD_EPSILON, ADAGRAD_INITIAL, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, OPTIMIZERS, SCHEDULES

CLIP_EPSILON = 1e-6  # clip_grad_norm_'s own guard; mtl uses the same: coef = max_norm / (norm + 1e-6)


def _touched(grad):
    return (grad != 0).any(dim=1).nonzero().squeeze(1)


class RowOptimizer(torch.optim.Optimizer):
    """An optimiser of embedding tables that updates the touched rows only (computed in float64, as mtl's sparse rules)."""

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            # The global update count (1-based), kept in the group so that state_dict() saves it for --resume.
            group["updates"] = group.get("updates", 0) + 1
            for p in group["params"]:
                if p.grad is None:
                    continue
                rows = _touched(p.grad)
                p[rows] = self.rows(p, self.state[p], rows, p.grad[rows].double(), group["lr"], group["updates"]).to(p.dtype)

    def rows(self, p, st, rows, g, lr, step):
        """The new values of the touched rows `rows` with gradients `g` at global update `step`; updates the slots in `st`."""
        raise NotImplementedError


class LazyAdam(RowOptimizer):
    """mtl's `lazy_adam` (TF's LazyAdam): Adam on the touched rows only, with the global step's bias correction;
    `steps` holds the update at which each row last moved (as mtl's slot)."""

    def rows(self, p, st, rows, g, lr, step):
        if not st:
            st["m"], st["v"] = torch.zeros_like(p), torch.zeros_like(p)
            st["steps"] = torch.zeros(p.shape[0], dtype=p.dtype, device=p.device)
        m = st["m"][rows].double() * ADAM_BETA1 + (1 - ADAM_BETA1) * g
        v = st["v"][rows].double() * ADAM_BETA2 + (1 - ADAM_BETA2) * g * g
        _store(st, rows, steps=torch.full((len(rows),), float(step), dtype=torch.float64), m=m, v=v)
        c1, c2 = 1 - ADAM_BETA1**step, 1 - ADAM_BETA2**step
        return p[rows].double() - lr * (m / c1) / ((v / c2).sqrt() + ADAM_EPSILON)


class RowwiseAdagrad(RowOptimizer):
    """mtl's `rowwise_adagrad` (DLRM / TorchRec): one accumulator per row, acc += mean(g²) over the row."""

    def rows(self, p, st, rows, g, lr, step):
        if not st:
            st["acc"] = torch.full((p.shape[0],), ADAGRAD_INITIAL, dtype=p.dtype, device=p.device)
        acc = st["acc"][rows].double() + (g * g).mean(dim=1)
        _store(st, rows, acc=acc)
        return p[rows].double() - lr * g / (acc + ADAGRAD_EPSILON).sqrt().unsqueeze(1)


def _store(st, rows, **values):
    # Slots are kept in the parameter's dtype (float32, as mtl's Float32Array slots; load_state_dict casts to it
    # too), computed in float64 as mtl's sparse rules are.
    for k, v in values.items():
        st[k][rows] = v.to(st[k].dtype)


EMBEDDING_OPTIMIZERS = {
    "lazy_adam": LazyAdam,
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr, eps=ADAM_EPSILON),
    "adagrad": lambda params, lr: torch.optim.Adagrad(params, lr=lr, initial_accumulator_value=ADAGRAD_INITIAL, eps=ADAGRAD_EPSILON),
    "rowwise_adagrad": RowwiseAdagrad,
}


def schedule_context(train, lr, steps_per_epoch, epochs):
    """The schedule's constants (mtl's ScheduleContext), or None without a schedule."""
    s = train.get("schedule")
    if not s:
        return None
    per_epoch = max(1, steps_per_epoch)
    every = s.get("every", 1) * (1 if s.get("everyUnit") == "steps" else per_epoch)
    return {"type": s["type"], "lr": lr, "totalSteps": per_epoch * max(1, epochs), "stepsPerEpoch": per_epoch, "warmup": s.get("warmup", 0),
            "minLr": s.get("minLr", 0.0), "everySteps": max(1, every), "gamma": s.get("gamma", 0.1)}


def scheduled_lr(c, k):
    """The learning rate of update k (0-based): a linear warm-up, then the schedule's decay (mtl's scheduleLr)."""
    if k < c["warmup"]:
        return c["lr"] * (k + 1) / c["warmup"]
    return SCHEDULES[c["type"]](k - c["warmup"], max(1, c["totalSteps"] - c["warmup"]), c)


class Recipe:
    """The optimisers of a model and one update with the train block's recipe (call after loss.backward())."""

    def __init__(self, model, train, optimizer, lr, steps_per_epoch, epochs):
        self.model, self.lr = model, lr
        self.weight_decay = train.get("weightDecay", 0.0)
        self.l2 = train.get("embeddingL2", 0.0)
        self.clip = train.get("clipNorm")
        self.schedule = schedule_context(train, lr, steps_per_epoch, epochs)
        self.tables = list(model.embedding.parameters())
        table_ids = {id(p) for p in self.tables}
        self.dense = [p for p in model.parameters() if id(p) not in table_ids]
        emb = train.get("embeddingOptimizer")
        if emb:
            self.optimizers = [OPTIMIZERS[optimizer](self.dense, lr)]
            if self.tables:
                self.optimizers.append(EMBEDDING_OPTIMIZERS[emb](self.tables, lr))
        else:
            self.optimizers = [OPTIMIZERS[optimizer](list(model.parameters()), lr)]

    def zero_grad(self):
        for o in self.optimizers:
            o.zero_grad()

    def lr_at(self, k):
        return scheduled_lr(self.schedule, k) if self.schedule else self.lr

    @torch.no_grad()
    def step(self, k):
        """Update k (0-based; the checkpoint's step count): clip, L2 on touched rows, decay, then the optimisers."""
        lr = self.lr_at(k)
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_([p for p in self.model.parameters() if p.grad is not None], self.clip)
        if self.l2:
            for p in self.tables:
                if p.grad is not None:
                    rows = _touched(p.grad)
                    p.grad[rows] += self.l2 * p[rows]
        if self.weight_decay:
            for p in self.dense:
                p.mul_(1 - lr * self.weight_decay)
        for o in self.optimizers:
            for group in o.param_groups:
                group["lr"] = lr
            o.step()
        return lr

    def state_dict(self):
        return [o.state_dict() for o in self.optimizers]

    def load_state_dict(self, states):
        # Checkpoints from before the recipe hold one optimizer's state dict.
        for o, s in zip(self.optimizers, states if isinstance(states, list) else [states]):
            o.load_state_dict(s)
