"""The teardown deadlock of torch 1.13 + gloo, made deterministic (run under torchrun with 2 processes):

    teardown-order.py PKG SIGNAL_FILE [package|old]

Rank 0 wraps a model in DDP (through PKG's distributed.py) and leaves an all-reduce of a Python tensor pending on a
gloo worker thread: rank 1 joins it only 2 s after rank 0 has said (SIGNAL_FILE) that it is about to destroy the
process group. The worker then still holds the collective's tensor while the group's destructor runs, which is
what a loaded machine made happen by chance after train.py's last collective.

- ``package`` (the default): main() returns, so DDP is gone, and the package's distributed.release destroys the
  group; rank 0 prints ``released`` and both ranks exit 0.
- ``old``: train.py's old order, destroy_process_group() while DDP is alive and then DDP dropped: DDP's Reducer
  holds the group's last reference and runs its destructor with the GIL held, while the worker waits for the GIL
  to free the tensor's Python object. Rank 0 never prints ``released`` (the experiment in docs/scaling-out.md).
"""
import os
import sys
import time

PKG, SIGNAL = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "package"
sys.path.insert(0, PKG)

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

import distributed  # noqa: E402

rank, world, _ = distributed.setup(60)


def main():
    ddp = distributed.wrap(torch.nn.Linear(2, 1), False)
    if rank == 0:
        t = torch.ones(1)
        work = dist.all_reduce(t, async_op=True)  # runs on a gloo worker thread, waiting for rank 1
        pending = not work.is_completed()
        del t, work  # the collective keeps the tensor; torch keeps its Python object alive for it
        print(f"pending {pending}", flush=True)
        with open(SIGNAL, "w", encoding="utf-8"):
            pass
        if MODE == "old":
            dist.destroy_process_group()
            del ddp
            print("released", flush=True)
    else:
        while not os.path.exists(SIGNAL):
            time.sleep(0.05)
        time.sleep(2)
        t = torch.ones(1)
        dist.all_reduce(t)


main()
if MODE == "package":
    distributed.release("(no outputs)", 60)
    print("released", flush=True)
if rank == 0 or MODE == "package":
    distributed.end(0)
# Rank 1 in the old order: rank 0 is stuck, so leave at once (torchrun then stops waiting for this rank).
os._exit(0)
