"""Building blocks of the generated model (model.py): MLP blocks, embedding lookups, pooling and gates.

Parameters live in three dictionaries keyed by the layer names of the tfjs target (see the naming table in
mtl's src/targets/pytorch/names.ts), so that weights convert between the targets by name alone:
``dense[NAME]`` (nn.Linear), ``norm[NAME]`` (nn.BatchNorm1d) and ``embedding[NAME]`` (nn.Embedding).
"""
import torch
import torch.nn.functional as F
from torch import nn

# The activations and tfjs' BatchNormalization defaults come from the op registry (generated mtl_ops.py), so
# that converted statistics mean the same thing in both targets.
from mtl_ops import ACTIVATIONS, BN_EPSILON, BN_MOMENTUM


class MtlModule(nn.Module):
    """Base class of a generated model: owns the named parameter dictionaries and the block helpers."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.ModuleDict()
        self.dense = nn.ModuleDict()
        self.norm = nn.ModuleDict()

    # ------------------------------------------------------------------ construction

    def add_table(self, name, rows, dim):
        """An embedding table; tfjs' default initialiser (uniform in ±0.05)."""
        table = nn.Embedding(rows, dim)
        nn.init.uniform_(table.weight, -0.05, 0.05)
        self.embedding[name] = table

    def add_dense(self, name, n_in, n_out, bias=True):
        """A Dense layer; Glorot-uniform kernel and zero bias, as tfjs initialises Dense."""
        layer = nn.Linear(n_in, n_out, bias=bias)
        nn.init.xavier_uniform_(layer.weight)
        if bias:
            nn.init.zeros_(layer.bias)
        self.dense[name] = layer

    def add_mlp(self, prefix, width, units, batch_norm):
        """Dense layers ``PREFIX_dense_j`` (each followed by ``PREFIX_bn_j`` with batch norm); returns the output width.

        A dense followed by batch norm has no bias: the norm's shift replaces it (as in the tfjs target).
        """
        for j, n_out in enumerate(units):
            self.add_dense(f"{prefix}_dense_{j}", width, n_out, bias=not batch_norm)
            if batch_norm:
                self.norm[f"{prefix}_bn_{j}"] = nn.BatchNorm1d(n_out, eps=BN_EPSILON, momentum=BN_MOMENTUM)
            width = n_out
        return width

    # ------------------------------------------------------------------ forward helpers

    def mlp(self, prefix, x, depth, activation, dropout):
        """Dense → batch norm (when present) → activation → dropout, ``depth`` times."""
        act = ACTIVATIONS[activation]
        for j in range(depth):
            x = self.dense[f"{prefix}_dense_{j}"](x)
            bn = f"{prefix}_bn_{j}"
            if bn in self.norm:
                x = self.norm[bn](x)
            x = act(x)
            if dropout > 0:
                x = F.dropout(x, dropout, self.training)
        return x

    def lookup(self, table, rows):
        """One embedding row per example: [batch] ids → [batch, dim]."""
        return self.embedding[table](rows)

    def pool(self, table, rows, weights, mode):
        """Pool a sequence's embeddings with the reader's weights: [batch, maxLen] → [batch, dim].

        mean and sum are weighted sums (weights 1/count or 1, 0 on padding). For max the reader pads with the
        first id at weight 1, so the max over positions is unchanged; an empty sequence (weights 0) gives 0.
        """
        e = self.embedding[table](rows) * weights.unsqueeze(-1)
        if mode == "max":
            return e.max(dim=1).values
        return e.sum(dim=1)

    def logits_gate(self, name, x, experts, normalize):
        """weights = normalize(Dense(x)) (the gate plugin's expression); output = Σ_i weights_i · expert_i. Returns (output, weights)."""
        weights = normalize(self.dense[name](x))
        stacked = torch.stack(experts, dim=1)  # [batch, experts, width]
        return (weights.unsqueeze(-1) * stacked).sum(dim=1), weights
