"""Weights as safetensors files, read and written with the standard library and PyTorch only.

safetensors is a plain layout (8-byte little-endian header length, a JSON header of name → dtype, shape and
byte offsets, then the raw little-endian data) that mtl's TypeScript converter reads and writes too; it is the
exchange format between the PyTorch target and the tfjs artifact (model.json + weights.bin).
"""
import json
import struct

import torch

import outputs

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32}
_NAMES = {v: k for k, v in _DTYPES.items()}


def _to_bytes(t):
    t = t.detach().cpu().contiguous()
    try:
        return t.numpy().tobytes()
    except (ImportError, RuntimeError):  # PyTorch without numpy: slower, but standard library only.
        fmt = {torch.float32: "f", torch.float64: "d", torch.int64: "q", torch.int32: "i"}[t.dtype]
        return struct.pack(f"<{t.numel()}{fmt}", *t.flatten().tolist())


def save(path, tensors, metadata=None):
    """Write ``tensors`` (name → tensor; float32, float64, int64 or int32) to ``path``, atomically (outputs.py)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        blob = _to_bytes(t)
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)

    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(head)))
            f.write(head)
            for blob in blobs:
                f.write(blob)

    outputs.replace(path, write)


def load(path):
    """Read a safetensors file into a dict of name → tensor."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    body = memoryview(data)[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        chunk = bytearray(body[start:end])
        t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def state_for_export(model):
    """The model's state dict without PyTorch-only counters (batch norm's num_batches_tracked)."""
    return {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


def load_into(model, tensors):
    """Load exported weights into ``model``; every parameter and statistic must be present with its shape."""
    own = state_for_export(model)
    # Uncertainty weighting's log-variances are training state only; the tfjs export model does not carry them.
    own = {k: v for k, v in own.items() if k in tensors or k != "log_vars"}
    missing = [k for k in own if k not in tensors]
    wrong = [k for k in own if k in tensors and tuple(tensors[k].shape) != tuple(own[k].shape)]
    if missing or wrong:
        raise ValueError(f"weights do not match the model: missing {missing[:5]}, wrong shape {wrong[:5]}")
    model.load_state_dict({k: tensors[k].to(own[k].dtype) for k in own}, strict=False)
