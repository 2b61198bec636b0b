#!/usr/bin/env bash
# NCCL check of the PyTorch target on a GPU machine: generate the ESMM package, write a small CSV, and train
# a few steps with `torchrun --nproc_per_node 1` (nccl backend, since CUDA is available), then check that
# rank 0 wrote its files and that the run used a CUDA device. Needs node (with this repository's
# node_modules) and a Python with a CUDA build of torch; set MTL_PYTHON to choose the Python.
# Usage: bash src/targets/pytorch/gpu-check.sh [NPROC]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../../.."
NPROC="${1:-1}"
PY="${MTL_PYTHON:-python3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$PY" -c 'import torch, torch.distributed as d; assert torch.cuda.is_available(), "no CUDA device"; assert d.is_nccl_available(), "no nccl"; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
cat > "$WORK/gen.ts" <<TS
import { compileToPytorch } from '$(pwd)/src/targets/pytorch/index.js';
import { esmm } from '$(pwd)/test/targets/fixtures.js';
const r = await compileToPytorch(esmm(), process.argv[2]!);
if (r.diagnostics.length) { console.error(JSON.stringify(r.diagnostics)); process.exit(1); }
TS
npx tsx "$WORK/gen.ts" "$WORK/pkg"
"$PY" - "$WORK/train.csv" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    f.write("user_id,item_id,category,hour,history,price,click,buy\n")
    for _ in range(2048):
        c = int(random.random() < 0.3); b = int(c and random.random() < 0.4)
        hist = "|".join(f"i{random.randint(0, 500)}" for _ in range(random.randint(0, 8)))
        f.write(f"u{random.randint(0, 300)},i{random.randint(0, 500)},c{random.randint(0, 20)},{random.randint(0, 23)},{hist},{random.random() * 100:.2f},{c},{b}\n")
PY
# --redirects/--tee 1 work around torch 1.13 + Python 3.11 failing to parse the default "0"; harmless elsewhere.
"$PY" -m torch.distributed.run --standalone --nnodes 1 --nproc_per_node "$NPROC" --redirects 1 --tee 1 \
  "$WORK/pkg/train.py" --data "$WORK/train.csv" --out "$WORK/run" --epochs 1 --batch 256 --max-steps 6 | tee "$WORK/log.txt"
grep -q '"device": "cuda' "$WORK/log.txt" || { echo "FAIL: the run did not use a CUDA device"; exit 1; }
for f in model.safetensors checkpoint.pt preprocess.json metrics.json; do test -s "$WORK/run/$f" || { echo "FAIL: missing $f"; exit 1; }; done
echo "gpu-check: OK (nccl, $NPROC process(es))"
