"""Reading CSV/TSV/JSON Lines data and preprocessing it exactly as the tfjs target does.

The same hash (32-bit FNV-1a over UTF-8, checked against shared test vectors), the same id spaces
(hash N: fnv1a32 % N; vocab N: id + 1, else 0; vocab file: 1 + line index, else 0), the same numeric
normalisation with statistics from the training data (stored in preprocess.json, whose format the
TypeScript reader also reads), the same bucketing and sequence pooling weights, the same labels, and the
same deterministic train/validation split.
"""
import csv
import gzip
import io
import json
import math
import os

import torch

# Values that mean "missing" in a data file (as in the TypeScript reader).
MISSING = {"", "NA", "NaN", "null", "?"}

PREPROCESS_VERSION = 1

# The largest finite float32: a larger weight would become infinite in a float32 tensor.
FLOAT32_MAX = 3.4028234663852886e38

# Sample weights travel with the labels under this prefix and their column (label names cannot contain ':').
WEIGHT_KEY = "weight_by:"


class DataError(Exception):
    """A problem with the data (a bad value, a missing column); the message names the file, row and column."""


# ---------------------------------------------------------------------------- hashing and the split


def fnv1a32(text):
    """32-bit FNV-1a over the UTF-8 bytes of ``text`` (lone surrogates encode as U+FFFD, like TextEncoder)."""
    data = _utf8_replacing(text) if _has_surrogates(text) else text.encode("utf-8")
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def _has_surrogates(text):
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _utf8_replacing(text):
    # A lone surrogate encodes as U+FFFD, as JavaScript's TextEncoder does.
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text).encode("utf-8")


def _mix32(x):
    """The MurmurHash3 finaliser, as src/data/prng.ts."""
    x &= 0xFFFFFFFF
    x = ((x ^ (x >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
    x = ((x ^ (x >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
    return (x ^ (x >> 16)) & 0xFFFFFFFF


def _mix_seeds(a, b):
    return _mix32(_mix32(a) ^ ((((b & 0xFFFFFFFF) + 0x9E3779B9) & 0xFFFFFFFF) * 0x27D4EB2D & 0xFFFFFFFF))


def is_validation_row(ordinal, seed, valid_split):
    """True when the record with 0-based ``ordinal`` is held out for validation (same rule as the tfjs target)."""
    if valid_split <= 0:
        return False
    if valid_split >= 1:
        return True
    return _mix_seeds(ordinal, (seed & 0xFFFFFFFF) ^ 0x5BD1E995) / 4294967296 < valid_split


# ---------------------------------------------------------------------------- reading records


def _open_text(path):
    raw = open(path, "rb")
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8", newline="")
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def read_records(path):
    """Every record of a CSV, TSV or JSON Lines file (optionally .gz) as a dict of column → raw value.

    Each record carries its 1-based line number (CSV: the header is line 1) under the key ``__row__``.
    """
    base = path[:-3] if path.endswith(".gz") else path
    records = []
    with _open_text(path) as f:
        if base.endswith(".jsonl") or base.endswith(".json") or base.endswith(".ndjson"):
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DataError(f"{path} row {n} is not a JSON object: {e}") from None
                if not isinstance(obj, dict):
                    raise DataError(f"{path} row {n} is not a JSON object")
                obj["__row__"] = n
                records.append(obj)
        else:
            reader = csv.reader(f, delimiter="\t" if base.endswith(".tsv") else ",")
            header = next(reader, None)
            if header is None:
                raise DataError(f"{path} is empty")
            for n, fields in enumerate(reader, start=2):
                if not fields:
                    continue
                if len(fields) != len(header):
                    raise DataError(f"{path} row {n} has {len(fields)} fields, but the header has {len(header)}")
                rec = dict(zip(header, fields))
                rec["__row__"] = n
                records.append(rec)
    if not records:
        raise DataError(f"{path} has no rows")
    return records


def split_records(records, seed, valid_split):
    """(train, valid) by the deterministic split on each record's 0-based ordinal in the file."""
    train, valid = [], []
    for i, r in enumerate(records):
        (valid if is_validation_row(i, seed, valid_split) else train).append(r)
    return train, valid


def _text(value):
    """A raw value as the string the TypeScript reader would see (JSON numbers print like JavaScript's)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_missing(value):
    return value is None or (isinstance(value, str) and value.strip() in MISSING)


# ---------------------------------------------------------------------------- preprocessing


class Preprocessor:
    """Maps raw records to model inputs and labels; holds the state fitted on the training data."""

    def __init__(self, ir, spec_dir=".", state=None):
        self.ir = ir
        self.spec_dir = spec_dir
        self.features = {f["name"]: f for f in ir["features"]}
        self.labels = ir["labels"]
        self.vocab = {}
        for f in ir["features"]:
            if f["kind"] != "numeric" and f["ids"]["kind"] == "file":
                self.vocab[f["name"]] = self._read_vocab(f)
        self.stats = {}
        if state is not None:
            self.load_state(state)

    def _read_vocab(self, f):
        path = os.path.join(self.spec_dir, f["ids"]["path"])
        with open(path, encoding="utf-8") as fh:
            tokens = [line.strip() for line in fh if line.strip()]
        return {t: i + 1 for i, t in enumerate(tokens)}

    # ---- state

    def fit(self, records, split=None):
        """One pass over the training records: each numeric's count, mean, std, min and max in the space it is
        normalised in (after log1p for `normalize log1p`, raw when bucketised), and label counts."""
        self.rows_seen = len(records)
        self.split = split or {"validSplit": 0.0, "seed": 0, "hasValidFile": False}
        for f in self.ir["features"]:
            if f["kind"] != "numeric":
                continue
            col = f.get("column", f["name"])
            log = f.get("normalize") == "log1p" and not f.get("buckets")
            n, missing, mean, m2, lo, hi = 0, 0, 0.0, 0.0, math.inf, -math.inf
            for r in records:
                v = r.get(col)
                if _is_missing(v):
                    missing += 1
                    continue
                try:
                    x = float(v)
                except ValueError:
                    continue
                if not math.isfinite(x) or (log and x < 0):
                    continue
                x = math.log1p(x) if log else x
                n += 1  # Welford's running mean and variance, as the TypeScript fitter
                d = x - mean
                mean += d / n
                m2 += d * (x - mean)
                lo, hi = min(lo, x), max(hi, x)
            if n == 0:
                st = {"count": 0, "missing": missing, "mean": 0.0, "std": 1.0, "min": 0.0, "max": 1.0}
            else:
                std = math.sqrt(m2 / n)
                st = {"count": n, "missing": missing, "mean": mean, "std": std if std > 0 else 1.0, "min": lo, "max": hi}
            self.stats[f["name"]] = {"kind": "numeric", "normalize": f.get("normalize", "none"), **st}
        self.label_counts = {}
        for lab in self.labels:
            col = lab.get("column", lab["name"])
            vals = [self._label(lab, r.get(col), "") for r in records if not _is_missing(r.get(col)) or lab.get("positive")]
            self.label_counts[lab["name"]] = {"count": len(vals), "sum": sum(vals)}
        return self

    def state(self):
        """The preprocess.json document, in the format of the TypeScript preprocessor (src/data/state.ts)."""
        features = {}
        owners = {f["name"]: f for f in self.ir["features"]}
        for f in self.ir["features"]:
            if f["kind"] == "numeric" and not f.get("buckets"):
                features[f["name"]] = self.stats[f["name"]]
                continue
            if f["kind"] == "numeric":
                features[f["name"]] = {"kind": "ids", "space": "buckets", "tableSize": len(f["buckets"]) + 1, "owner": f["name"], "stats": self.stats[f["name"]]}
                continue
            owner = f
            while owner.get("shares") and owner["shares"] in owners:
                owner = owners[owner["shares"]]
            ids = owner["ids"]
            size = ids["size"] if ids["kind"] == "hash" else (ids["size"] + 1 if ids["kind"] == "vocab" else len(self.vocab[owner["name"]]) + 1)
            entry = {"kind": "ids", "space": ids["kind"], "tableSize": size, "owner": owner["name"]}
            if ids["kind"] == "file" and owner is f:
                tokens = sorted(self.vocab[f["name"]], key=self.vocab[f["name"]].get)
                entry["vocab"] = {"path": ids["path"], "size": len(tokens), "digest": "", "tokens": tokens}
            features[f["name"]] = entry
        return {
            "version": PREPROCESS_VERSION,
            "features": features,
            "rowsSeen": getattr(self, "rows_seen", 0),
            "rowsSkipped": 0,
            "labels": getattr(self, "label_counts", {}),
            "split": getattr(self, "split", {"validSplit": 0.0, "seed": 0, "hasValidFile": False}),
        }

    def load_state(self, state):
        """Read a preprocess.json written by either target (numeric statistics by feature name)."""
        if state.get("version") != PREPROCESS_VERSION:
            raise DataError(f"the preprocessing state has version {state.get('version')}, expected {PREPROCESS_VERSION}")
        feats = state.get("features", {})
        for f in self.ir["features"]:
            s = feats.get(f["name"])
            if s is None:
                raise DataError(f"the preprocessing state has no entry for feature '{f['name']}'")
            if f["kind"] == "numeric":
                self.stats[f["name"]] = s.get("stats", s)
            vocab = s.get("vocab")
            if vocab and vocab.get("tokens") is not None:
                self.vocab[f["name"]] = {t: i + 1 for i, t in enumerate(vocab["tokens"]) if t != ""}
        self.rows_seen = state.get("rowsSeen", 0)
        self.label_counts = state.get("labels", {})
        self.split = state.get("split")

    # ---- encoding

    def _id_row(self, f, token):
        ids = f["ids"]
        if ids["kind"] == "hash":
            return fnv1a32(token) % ids["size"]
        if ids["kind"] == "vocab":
            try:
                x = float(token)
            except ValueError:
                return 0
            if not x.is_integer() or x < 0 or x >= ids["size"]:
                return 0
            return int(x) + 1
        return self.vocab[f["name"]].get(token, 0)

    def _numeric(self, f, value, where):
        """The value before normalisation: parsed, filled when missing, and log1p-transformed (unless bucketised)."""
        log = f.get("normalize") == "log1p" and not f.get("buckets")
        if _is_missing(value):
            miss = f.get("missing", "error")
            if miss == "error":
                raise DataError(f"{where} has no value, and feature '{f['name']}' says `missing error`")
            if miss == "mean":
                return self.stats.get(f["name"], {}).get("mean", 0.0)  # already in the transformed space
            x = 0.0 if miss == "zero" else float(miss["value"])
            return math.log1p(max(x, 0.0)) if log else x
        try:
            x = float(value)
        except ValueError:
            raise DataError(f"{where}: '{value}' is not a number") from None
        if not math.isfinite(x):
            raise DataError(f"{where}: '{value}' is not a number")
        if log:
            if x < 0:
                raise DataError(f"{where}: {x} is negative, and feature '{f['name']}' is normalised with log1p")
            return math.log1p(x)
        return x

    def _normalize(self, f, t, where):
        """Normalise a transformed value with the fitted statistics."""
        mode = f.get("normalize", "none")
        s = self.stats.get(f["name"], {})
        if mode == "standard":
            return (t - s.get("mean", 0.0)) / s.get("std", 1.0)
        if mode == "minmax":
            span = s.get("max", 1.0) - s.get("min", 0.0)
            return (t - s.get("min", 0.0)) / span if span > 0 else 0.0
        return t

    def encode(self, records, file="data"):
        """Model inputs (feature name → tensor), labels (name → float tensor) and group columns for ``records``."""
        inputs, labels, groups = {}, {}, {}
        for f in self.ir["features"]:
            col = f.get("column", f["name"])
            where = lambda r: f"{file} row {r['__row__']}, column '{col}'"  # noqa: E731
            if f["kind"] == "categorical":
                rows = [self._id_row(f, _text(r.get(col))) for r in records]
                inputs[f["name"]] = torch.tensor(rows, dtype=torch.long)
            elif f["kind"] == "sequence":
                rows, weights = self._sequences(f, [r.get(col) for r in records])
                inputs[f["name"]] = rows
                inputs[f["name"] + "__w"] = weights
            elif f.get("buckets"):
                bounds = f["buckets"]
                vals = [self._numeric(f, r.get(col), where(r)) for r in records]
                inputs[f["name"]] = torch.tensor([sum(1 for b in bounds if b <= v) for v in vals], dtype=torch.long)
            else:
                vals = [self._normalize(f, self._numeric(f, r.get(col), where(r)), where(r)) for r in records]
                inputs[f["name"]] = torch.tensor(vals, dtype=torch.float32)
        for lab in self.labels:
            col = lab.get("column", lab["name"])
            labels[lab["name"]] = torch.tensor([self._label(lab, r.get(col), f"{file} row {r['__row__']}, column '{col}'") for r in records], dtype=torch.float32)
        for col in self.weight_columns():
            labels[WEIGHT_KEY + col] = torch.tensor([_weight(r.get(col), f"{file} row {r['__row__']}, column '{col}'", col) for r in records], dtype=torch.float32)
        for col in self.group_columns():
            groups[col] = [_text(r.get(col)) for r in records]
        return inputs, labels, groups

    def weight_columns(self):
        """The `weight_by` columns: the train block's, the tasks' and the metrics' (sample weights)."""
        ir = self.ir
        cols = [ir["train"].get("weightBy")] + [t.get("weightBy") for t in ir["tasks"]] + [m.get("weightBy") for m in ir.get("metrics", [])]
        return sorted({c for c in cols if c is not None})

    def group_columns(self):
        """Columns that gauc metrics group by."""
        return sorted({m["groupBy"] for m in self.ir.get("metrics", []) if m.get("groupBy") is not None})

    def _sequences(self, f, values):
        sep, max_len, pool = f.get("separator", "|"), f["maxLen"], f["pool"]
        rows = torch.zeros((len(values), max_len), dtype=torch.long)
        weights = torch.zeros((len(values), max_len), dtype=torch.float32)
        for i, v in enumerate(values):
            text = "" if _is_missing(v) else _text(v)
            tokens = [t for t in text.split(sep) if t != ""][:max_len]
            ids = [self._id_row(f, t) for t in tokens]
            n = len(ids)
            if n == 0:
                continue
            if pool == "max":
                ids = ids + [ids[0]] * (max_len - n)
                rows[i] = torch.tensor(ids, dtype=torch.long)
                weights[i] = 1.0
            else:
                rows[i, :n] = torch.tensor(ids, dtype=torch.long)
                weights[i, :n] = 1.0 / n if pool == "mean" else 1.0
        return rows, weights

    def _label(self, lab, value, where):
        if _is_missing(value) and not lab.get("positive"):
            raise DataError(f"{where} has no value for label '{lab['name']}'")
        text = _text(value).strip()
        if lab["type"] == "real":
            try:
                return float(text)
            except ValueError:
                raise DataError(f"{where}: '{text}' is not a number (label '{lab['name']}' is real)") from None
        if lab.get("positive"):
            return 1.0 if text in lab["positive"] else 0.0
        if text in ("1", "1.0", "true"):
            return 1.0
        if text in ("0", "0.0", "false"):
            return 0.0
        raise DataError(f"{where}: '{text}' is not a binary label (0/1, true/false)")


def _weight(value, where, col):
    """A sample weight: a finite number >= 0 (as the TypeScript reader: MTL5060 missing, MTL5061 bad)."""
    if _is_missing(value):
        raise DataError(f"{where} has no sample weight (`weight_by {col}`)")
    text = _text(value).strip()
    try:
        w = float(text) if "_" not in text else math.nan  # float() takes 1_000; the TypeScript reader does not
    except ValueError:
        w = math.nan
    if not (math.isfinite(w) and 0 <= w <= FLOAT32_MAX):
        raise DataError(f"{where}: '{text}' is not a sample weight (`weight_by {col}` needs a finite number >= 0)")
    return w


def load_state_file(path):
    """Read preprocess.json."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)
