"""Reading CSV/TSV/JSON Lines (and, with pyarrow, Parquet) data and preprocessing it exactly as the tfjs
target does. Under torchrun each process reads only its own piece of the files (read_shard).

The same hash (32-bit FNV-1a over UTF-8, checked against shared test vectors), the same id spaces
(hash N: fnv1a32 % N; vocab N: id + 1, else 0; vocab file: 1 + line index, else 0), the same numeric
normalisation with statistics from the training data (stored in preprocess.json, whose format the
TypeScript reader also reads), the same bucketing and sequence pooling weights, the same labels, and the
same deterministic train/validation split.
"""
import csv
import glob
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
    """A problem with the data (a bad value, a missing column); the message names the file, row and column.
    ``shared``: every process of a torchrun job raises it alike (so one of them reports it)."""

    def __init__(self, message, shared=False):
        super().__init__(message)
        self.shared = shared


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


# ---------------------------------------------------------------------------- data paths and shards


def expand_braces(pattern):
    """``{a,b}`` alternatives expanded (nested too), as src/data/glob.ts; an unclosed brace stays as it is."""
    open_ = pattern.find("{")
    if open_ == -1:
        return [pattern]
    depth, cuts, close = 0, [], -1
    for i in range(open_, len(pattern)):
        c = pattern[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                close = i
                break
        elif c == "," and depth == 1:
            cuts.append(i)
    if close == -1:
        return [pattern]
    head, tail, bounds = pattern[:open_], pattern[close + 1 :], [open_, *cuts, close]
    out = []
    for k in range(len(bounds) - 1):
        for alt in expand_braces(pattern[bounds[k] + 1 : bounds[k + 1]]):
            out.extend(expand_braces(head + alt + tail))
    return out


def expand_paths(patterns):
    """The data files of a split: each path as given, or the regular files its wildcards match (``*``, ``?``,
    ``[...]``, ``**``, ``{a,b}``), sorted by path in UTF-16 code-unit order as mtl sorts them; the patterns'
    files follow each other in the order the patterns are given. Their rows are numbered on across files."""
    files = []
    for pattern in patterns:
        if not any(c in pattern for c in "*?[{"):
            if not os.path.isfile(pattern):
                raise DataError(f"the data file '{pattern}' does not exist or is not a regular file", shared=True)
            files.append(pattern)
            continue
        found = set()
        for p in expand_braces(pattern):
            found.update(f for f in glob.glob(p, recursive=True) if os.path.isfile(f))
        if not found:
            raise DataError(f"the data path '{pattern}' matches no file (quote it, so that train.py rather than the shell expands it)", shared=True)
        files.extend(sorted(found, key=lambda f: f.encode("utf-16-be")))
    return files


def _is_gzip(path):
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _is_parquet(path):
    if path.endswith(".parquet"):
        return True
    with open(path, "rb") as f:
        return f.read(4) == b"PAR1"


def _text_format(path):
    base = path[:-3] if path.endswith(".gz") else path
    if base.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    return "tsv" if base.endswith(".tsv") else "csv"


def _parquet_module(path):
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 (optional: only Parquet input needs it)
    except ImportError:
        raise DataError(f"{path} is a Parquet file, and reading Parquet in train.py needs pyarrow: pip install pyarrow (or pass the data as CSV, TSV or JSON Lines)", shared=True) from None
    return pq


def plan_shards(files, world):
    """Which piece of the data each of ``world`` processes reads: a list per rank of (file index, start, end).

    Plain text files are cut into byte ranges: the concatenated files are divided into ``world`` equal spans,
    and a record belongs to the process whose span holds its first byte (so every record is read once, and
    the processes' records, in rank order, are the files' records in order). A gzip file cannot be entered in
    the middle, so it is one piece, read whole by the process whose span holds its first byte; a Parquet
    file's pieces are its row groups (start and end are then row-group indices), placed by their first row's
    byte-equivalent position in the same way.
    """
    units = []  # (file index, start, end, size, splittable)
    for i, f in enumerate(files):
        if _is_parquet(f):
            meta = _parquet_module(f).ParquetFile(f).metadata
            for g in range(meta.num_row_groups):
                units.append((i, g, g + 1, max(meta.row_group(g).total_byte_size, 1), False))
        else:
            size = os.path.getsize(f)
            units.append((i, 0, size, size, size > 0 and not _is_gzip(f)))
    total = sum(u[3] for u in units)
    bounds = [total * r // world for r in range(world + 1)]
    shards = [[] for _ in range(world)]
    at = 0
    for i, start, end, size, splittable in units:
        for r in range(world):
            lo, hi = max(bounds[r], at), min(bounds[r + 1], at + size)
            if splittable and lo < hi:
                shards[r].append((i, start + lo - at, start + hi - at))
            elif not splittable and bounds[r] <= at < bounds[r + 1]:
                shards[r].append((i, start, end))
        at += size
    return shards


# ---------------------------------------------------------------------------- reading records


def _open_text(path):
    raw = open(path, "rb")
    if _is_gzip(path):
        return io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8", newline="")
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


class _Problem:
    """A bad record met while reading a piece, reported once the row numbers of every piece are known."""

    def __init__(self, line, message):
        self.line, self.message = line, message


def _lines_of_range(path, start, end):
    """The lines (decoded, with their line ends) that start in bytes [start, end) of a plain text file, and
    whether the range began at the file's start. A range that begins mid-line skips to the next line."""
    with open(path, "rb") as f:
        pos = start
        if start > 0:
            f.seek(start - 1)
            pos = start - 1 + len(f.readline())  # the previous byte ends a line, or the rest of that line is skipped
        while pos < end:
            raw = f.readline()
            if not raw:
                break
            pos += len(raw)
            yield raw.decode("utf-8")


def _read_piece(path, piece, whole):
    """(records, lines, header) of one piece: records carry ``__line__``, their 1-based line within the piece
    (CSV: the header, when the piece holds it, is line 1); ``lines`` counts the piece's lines."""
    _, start, end = piece
    if _is_parquet(path):
        return _read_parquet_group(path, start)
    fmt = _text_format(path)
    if whole:
        f = _open_text(path)
        lines = iter(f)
    else:
        f = None
        lines = _lines_of_range(path, start, end)
    records, n = [], 0
    try:
        if fmt == "jsonl":
            for n, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    return records, n, _Problem(n, f"is not a JSON object: {e}")
                if not isinstance(obj, dict):
                    return records, n, _Problem(n, "is not a JSON object")
                obj["__line__"] = n
                records.append(obj)
            return records, n, None
        delimiter = "\t" if fmt == "tsv" else ","
        if start == 0 or whole:
            reader = csv.reader(lines, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                return records, 0, None
            n = 1
        else:
            header = _header(path, delimiter)
            reader = csv.reader(lines, delimiter=delimiter)
        for fields in reader:
            n += 1
            if not whole and reader.line_num != n:
                return records, n, _Problem(n, "has a line break inside a quoted field: files read by several processes are split at line breaks (run one process, or write the file without line breaks in fields)")
            if not fields:
                continue
            if len(fields) != len(header):
                return records, n, _Problem(n, f"has {len(fields)} fields, but the header has {len(header)}")
            rec = dict(zip(header, fields))
            rec["__line__"] = n
            records.append(rec)
        return records, n, None
    finally:
        if f is not None:
            f.close()


def _header(path, delimiter):
    with _open_text(path) as f:
        return next(csv.reader(f, delimiter=delimiter), None) or []


def _read_parquet_group(path, group):
    """The rows of one row group of a Parquet file (pyarrow), list columns as Python lists."""
    table = _parquet_module(path).ParquetFile(path).read_row_group(group)
    records = table.to_pylist()
    for k, rec in enumerate(records, start=1):
        rec["__line__"] = k
    return records, len(records), None

def read_shard(patterns, rank=0, world=1, gather=lambda x: [x]):
    """This process's records of the data files that ``patterns`` name (several paths or wildcards), and
    the number of records in all files together.

    Each process reads only its pieces (plan_shards); ``gather`` (an all-gather of a Python object over the
    processes, in rank order) tells every process how many records and lines the others read, so each
    record gets its file (``__file__``), its row in that file (``__row__``: CSV counts the header as row 1,
    JSON Lines counts lines, Parquet counts rows) and its 0-based ordinal over all files (``__ordinal__``),
    which the train/validation split depends on: the same as one process reading every file in order.
    """
    files = expand_paths(patterns)
    shards = plan_shards(files, world)
    read = []
    for piece in shards[rank]:
        path = files[piece[0]]
        whole = _is_gzip(path) or _is_parquet(path) or (piece[1] == 0 and piece[2] == os.path.getsize(path))
        read.append(_read_piece(path, piece, whole))
    summary = [(piece[0], len(recs), lines, None if p is None else (p.line, p.message)) for piece, (recs, lines, p) in zip(shards[rank], read)]
    everyone = [s for part in gather(summary) for s in part]  # every piece of every rank, in file order
    lines_before, ordinal, per_file, first = {}, 0, [0] * len(files), None
    offsets = []  # (line offset in its file, ordinal of its first record) of each piece, in file order
    for file, count, lines, problem in everyone:
        offsets.append((lines_before.get(file, 0), ordinal))
        if problem is not None and first is None:
            first = f"{files[file]} row {lines_before.get(file, 0) + problem[0]} {problem[1]}"
        lines_before[file] = lines_before.get(file, 0) + lines
        ordinal += count
        per_file[file] += count
    if first is not None:
        raise DataError(first, shared=True)
    for file, count in enumerate(per_file):
        if count == 0:
            raise DataError(f"{files[file]} has no rows", shared=True)
    records = []
    k = sum(len(shards[r]) for r in range(rank))  # index of this rank's first piece in `everyone`
    for (piece, (recs, _, _)), (line0, ord0) in zip(zip(shards[rank], read), offsets[k : k + len(read)]):
        for j, rec in enumerate(recs):
            rec["__row__"] = line0 + rec.pop("__line__")
            rec["__ordinal__"] = ord0 + j
            rec["__file__"] = files[piece[0]]
            records.append(rec)
    return records, ordinal


def read_records(path):
    """Every record of one data file (CSV, TSV, JSON Lines, optionally .gz; or Parquet), as :func:`read_shard`
    gives them to a single process."""
    return read_shard([path])[0]


def split_records(records, seed, valid_split):
    """(train, valid) by the deterministic split on each record's 0-based ordinal over the split's files."""
    train, valid = [], []
    for i, r in enumerate(records):
        (valid if is_validation_row(r.get("__ordinal__", i), seed, valid_split) else train).append(r)
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

    def fit(self, records, split=None, gather=lambda x: [x]):
        """One pass over the training records: each numeric's count, mean, std, min and max in the space it is
        normalised in (after log1p for `normalize log1p`, raw when bucketised), and label counts.

        Under torchrun each process passes its own records and ``gather`` (an all-gather over the processes):
        the processes' partial statistics are merged (Chan et al.'s pairwise update of Welford's mean and
        variance), so every process holds the statistics of all training records.
        """
        parts = gather(self._partial(records))
        self.rows_seen = sum(p["rows"] for p in parts)
        self.split = split or {"validSplit": 0.0, "seed": 0, "hasValidFile": False}
        for f in self.ir["features"]:
            if f["kind"] != "numeric":
                continue
            n, missing, mean, m2, lo, hi = 0, 0, 0.0, 0.0, math.inf, -math.inf
            for p in parts:
                pn, pmissing, pmean, pm2, plo, phi = p["numeric"][f["name"]]
                missing += pmissing
                if pn == 0:
                    continue
                if n == 0:  # the first part as it is: one process's statistics are exactly the sequential pass's
                    n, mean, m2, lo, hi = pn, pmean, pm2, plo, phi
                    continue
                d, total = pmean - mean, n + pn
                mean += d * pn / total
                m2 += pm2 + d * d * n * pn / total
                n, lo, hi = total, min(lo, plo), max(hi, phi)
            if n == 0:
                st = {"count": 0, "missing": missing, "mean": 0.0, "std": 1.0, "min": 0.0, "max": 1.0}
            else:
                std = math.sqrt(m2 / n)
                st = {"count": n, "missing": missing, "mean": mean, "std": std if std > 0 else 1.0, "min": lo, "max": hi}
            self.stats[f["name"]] = {"kind": "numeric", "normalize": f.get("normalize", "none"), **st}
        self.label_counts = {}
        for lab in self.labels:
            count = sum(p["labels"][lab["name"]][0] for p in parts)
            self.label_counts[lab["name"]] = {"count": count, "sum": sum(p["labels"][lab["name"]][1] for p in parts)}
        return self

    def _partial(self, records):
        """This process's share of :meth:`fit`: per numeric feature (count, missing, mean, M2, min, max) by
        Welford's running update, as the TypeScript fitter; per label (count, sum)."""
        numeric = {}
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
                n += 1
                d = x - mean
                mean += d / n
                m2 += d * (x - mean)
                lo, hi = min(lo, x), max(hi, x)
            numeric[f["name"]] = (n, missing, mean, m2, lo, hi)
        labels = {}
        for lab in self.labels:
            col = lab.get("column", lab["name"])
            vals = [self._label(lab, r.get(col), f"{r.get('__file__', 'data')} row {r.get('__row__')}, column '{col}'") for r in records if not _is_missing(r.get(col)) or lab.get("positive")]
            labels[lab["name"]] = (len(vals), sum(vals))
        return {"rows": len(records), "numeric": numeric, "labels": labels}

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
            raise DataError(f"the preprocessing state has version {state.get('version')}, expected {PREPROCESS_VERSION}", shared=True)
        feats = state.get("features", {})
        for f in self.ir["features"]:
            s = feats.get(f["name"])
            if s is None:
                raise DataError(f"the preprocessing state has no entry for feature '{f['name']}'", shared=True)
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
            where = lambda r: f"{r.get('__file__', file)} row {r['__row__']}, column '{col}'"  # noqa: E731
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
            labels[lab["name"]] = torch.tensor([self._label(lab, r.get(col), f"{r.get('__file__', file)} row {r['__row__']}, column '{col}'") for r in records], dtype=torch.float32)
        for col in self.weight_columns():
            labels[WEIGHT_KEY + col] = torch.tensor([_weight(r.get(col), f"{r.get('__file__', file)} row {r['__row__']}, column '{col}'", col) for r in records], dtype=torch.float32)
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
            if isinstance(v, list):  # a Parquet list column
                tokens = [t for t in (_text(x) for x in v if not _is_missing(x)) if t != ""][:max_len]
            else:
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
