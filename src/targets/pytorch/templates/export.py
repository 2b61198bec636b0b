"""Export trained weights to ONNX or TorchScript: ``python export.py CONFIG.json`` (run by ``mtl export``).

CONFIG names the format, the output file, the run directory with model.safetensors, and the model's inputs
and outputs as mtl lays them out (src/data/feeds.ts): one input per encoded feature (int32 rows or float32
values; a sequence adds NAME__w pooling weights), batch axis first and dynamic, and one float32 [batch]
output per named output (towers and tasks, as ``predict.py`` writes them, gate weights excluded).

Failures print one line ``MTL_EXPORT_ERROR {"reason": ...}`` on standard error and exit with status 3.
"""
import json
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import objective  # noqa: E402
import weights  # noqa: E402
from model import Model  # noqa: E402

# The traced TorchScript model must reproduce the eager model within this (the bar of the exports' tests).
TRACE_TOLERANCE = 1e-5


class Exported(nn.Module):
    """The model with positional inputs (the contract's order) and a tuple of named outputs."""

    def __init__(self, model, obj, inputs, outputs):
        super().__init__()
        self.model = model
        self.obj = obj
        self.inputs = [(i["name"], i["type"] == "int32") for i in inputs]
        self.outputs = list(outputs)

    def forward(self, *xs):
        # Row ids arrive as int32 (ONNX Runtime, tfjs); embedding lookups need int64.
        x = {name: (t.long() if ids else t) for (name, ids), t in zip(self.inputs, xs)}
        out = self.obj.outputs(self.model(x))
        return tuple(out[name] for name in self.outputs)


def example(inputs, batch, seed):
    """A batch of valid inputs: row 0 everywhere (every table has it), random values and pooling weights."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in inputs:
        shape = [batch if d == "batch" else d for d in i["shape"]]
        if i["type"] == "int32":
            out.append(torch.zeros(shape, dtype=torch.int32))
        else:
            out.append(torch.rand(shape, generator=g, dtype=torch.float32))
    return tuple(out)


def fail(reason):
    sys.stderr.write("MTL_EXPORT_ERROR " + json.dumps({"reason": reason}) + "\n")
    sys.exit(3)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cfg = json.load(f)
    with open(os.path.join(HERE, "ir.json"), encoding="utf-8") as f:
        ir = json.load(f)
    model = Model()
    weights.load_into(model, weights.load(os.path.join(cfg["run"], "model.safetensors")))
    model.eval()
    wrapped = Exported(model, objective.Objective(ir), cfg["inputs"], cfg["outputs"]).eval()
    names = [i["name"] for i in cfg["inputs"]]
    sample = example(cfg["inputs"], 2, 1)
    try:
        with torch.no_grad():
            if cfg["format"] == "onnx":
                axes = {n: {0: "batch"} for n in names + cfg["outputs"]}
                torch.onnx.export(
                    wrapped, sample, cfg["out"], input_names=names, output_names=cfg["outputs"],
                    dynamic_axes=axes, opset_version=cfg["opset"], do_constant_folding=True,
                )
            else:
                traced = torch.jit.trace(wrapped, sample, check_trace=False)
                # Tracing records one path through the code: check it on another batch size before saving.
                check = example(cfg["inputs"], 3, 2)
                diff = max(float((a - b).abs().max()) for a, b in zip(traced(*check), wrapped(*check)))
                if not diff <= TRACE_TOLERANCE:
                    fail(f"the traced model differs from the eager model by {diff:.3g} on a batch of 3")
                torch.jit.save(traced, cfg["out"])
    except Exception as e:  # noqa: BLE001 - any exporter failure is reported, with its message
        fail(f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}")


if __name__ == "__main__":
    main()
