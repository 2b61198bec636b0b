"""The processes of a torchrun job: the process group, the collectives train.py uses, and an end that cannot hang.

Every wait for the other processes is bounded. The process group gets ``--dist-timeout`` (600 s by default, not
torch's 30 minutes): a collective that a peer does not answer in time, or whose peer went away, raises, and the
rank stops with MTL5616 naming itself and what it was doing (exit status 3).

The end of a successful run (``finish``), after rank 0 has written every output atomically (outputs.py):

1. DDP is released while the process group is still registered (train.py's main() holds it and has returned;
   ``release`` collects its reference cycles), so that the group's last reference is dropped by
   ``destroy_process_group`` and not by DDP. This is the hang CI met once: in torch 1.13 DDP's C++ Reducer
   holds its own reference to the process group; when the Reducer drops the last one, ~ProcessGroupGloo runs
   with Python's lock (the GIL) held and joins gloo's worker threads, while a worker that has not yet let go
   of its last finished collective needs the GIL to free that collective's tensors (they have Python
   objects): each waits for the other forever. Under load the worker is often still there. Dropped through
   the Python handle, the destructor runs with the GIL released (torch wraps it to release the GIL).
2. A final barrier. The other ranks wait there for rank 0's writes (at most ``--dist-timeout``); rank 0, which
   comes last, waits at most ``--teardown-timeout`` for them, and on gloo a monitored barrier names the ranks
   that did not come (MTL5618, exit status 3).
3. ``destroy_process_group`` under a watchdog: a rank whose teardown has not finished after
   ``--teardown-timeout`` seconds prints MTL5617 and every thread's stack and exits with status 4 (its outputs
   were complete before). If the stuck call holds the GIL, so that the watchdog thread cannot run,
   faulthandler's own thread prints the stacks and exits with status 1 ``BACKSTOP_SECONDS`` later.

A rank that stops with an error ends with ``os._exit`` after flushing its output: the interpreter's finalization
would otherwise free DDP and the process group in whatever order, which is the deadlock of step 1.

``MTL_TEST_STALL=POINT:RANK`` (for tests only) makes rank RANK stall for an hour at POINT: ``step`` (before its
first training step), ``finish`` (before the final barrier), ``teardown`` (inside the watched teardown, the GIL
released) or ``teardown-gil`` (inside it, holding the GIL, as a native call that never returns would).
"""
import ctypes
import datetime
import faulthandler
import gc
import json
import os
import re
import sys
import threading
import time
import weakref

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))

EXIT_STUCK = 3  # a wait for the other processes failed (MTL5616, MTL5618)
EXIT_TEARDOWN = 4  # the outputs are complete; the process group's teardown did not finish (MTL5617)
BACKSTOP_SECONDS = 10  # faulthandler's exit, after the watchdog's, for a hang that holds the GIL
STALL_SECONDS = 3600  # how long the test hook stalls: longer than any timeout a test sets

# gloo's and the TCP store's words for a wait that failed: a timeout, or a peer whose connection closed.
_COMM_FAILURE = re.compile(r"[Tt]imed out|[Tt]imeout|Connection (closed|reset) by peer|Broken pipe|Read error|failed to pass monitoredBarrier")
# Rank 0's monitored barrier names the ranks that did not come: "Ranks 1, 2 failed to pass monitoredBarrier".
_MISSING = re.compile(r"Ranks? ([\d, ]+?) failed to pass monitoredBarrier")

# This process's place in the job: what it is doing (for MTL5616), its timeout, and a weak reference to DDP.
_job = {"phase": "starting", "timeout": None, "ddp": None}


def setup(timeout):
    """(rank, world, device); initialises the process group, every wait bounded by ``timeout`` seconds, when
    launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1 or "LOCAL_RANK" in os.environ:
        cuda = torch.cuda.is_available()
        _job["timeout"] = timeout
        dist.init_process_group("nccl" if cuda else "gloo", timeout=datetime.timedelta(seconds=timeout))
        if cuda:
            local = int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(local)
            return rank, world, torch.device("cuda", local)
        return rank, world, torch.device("cpu")
    return 0, 1, torch.device("cuda" if torch.cuda.is_available() else "cpu")


def phase(text):
    """Say what this rank is doing, for the message of a wait that fails (``while {phase}``)."""
    _job["phase"] = text


def rank_and_world():
    """This process's rank and the number of processes (also before or without a process group)."""
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def all_sum(values, device):
    """Element-wise sum of a list of floats over all ranks."""
    if not dist.is_initialized():
        return list(values)
    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return t.tolist()


def all_gather(obj):
    """A Python object from every rank, in rank order."""
    if not dist.is_initialized():
        return [obj]
    parts = [None] * dist.get_world_size()
    dist.all_gather_object(parts, obj)
    return parts


def wrap(model, find_unused_parameters):
    """``model`` in DistributedDataParallel under torchrun (``model`` itself on one process). Only a weak
    reference is kept here: ``finish`` checks that DDP is gone before it destroys the process group."""
    if not dist.is_initialized():
        return model
    ddp = DistributedDataParallel(model, find_unused_parameters=find_unused_parameters)
    _job["ddp"] = weakref.ref(ddp)
    return ddp


def message(code, **args):
    """The text of diagnostic ``code`` (its templates are in diagnostics.json, written from mtl's catalog)."""
    with open(os.path.join(HERE, "diagnostics.json"), encoding="utf-8") as f:
        info = json.load(f)[code]

    def fill(template):  # as mtl's fillTemplate: a {name} without an argument stays as written
        return re.sub(r"\{(\w+)\}", lambda m: str(args[m.group(1)]) if m.group(1) in args else m.group(0), template)

    text = f"{info['severity']} {code}: {fill(info['message'])}"
    return text + (f"\n  hint: {fill(info['hint'])}" if info.get("hint") else "")


def stuck_message(error):
    """MTL5616 for the error of a collective that failed (a timeout, a peer gone); None for any other error."""
    if not dist.is_initialized() or not isinstance(error, RuntimeError) or not _COMM_FAILURE.search(str(error)):
        return None
    rank, world = rank_and_world()
    # gloo prefixes its messages with the C++ source line ("[../gloo/transport/tcp/pair.cc:598] Read error ...").
    reason = re.sub(r"^\[[^\]]*\]\s*", "", str(error).strip().splitlines()[0]).rstrip(".")
    return message("MTL5616", rank=rank, world=world, phase=_job["phase"], reason=reason, seconds=f"{_job['timeout']:g}")


def end(code):
    """Exit with ``code``. Under torchrun: flush the output and leave without the interpreter's finalization,
    which would destroy DDP and the process group in an arbitrary order (see the module's doc)."""
    if not dist.is_initialized():
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def finish(out, teardown_timeout):
    """The end of a successful run under torchrun (the module's doc, steps 1 to 3); returns once the process
    group is gone, or ends the process with MTL5618 or MTL5617. Call it after the function that held DDP has
    returned."""
    if not dist.is_initialized():
        return
    rank, world = rank_and_world()
    stall("finish")
    phase("at the end of the run")
    if dist.get_backend() == dist.Backend.GLOO:
        # The others wait here for rank 0's writes; rank 0 comes last and waits only for them to arrive.
        wait = teardown_timeout if rank == 0 else _job["timeout"]
        try:
            dist.monitored_barrier(timeout=datetime.timedelta(seconds=wait), wait_all_ranks=True)
        except RuntimeError as e:
            missing = _MISSING.search(str(e))
            if rank == 0 and missing:
                print(message("MTL5618", world=world, ranks=missing.group(1), seconds=f"{wait:g}", out=out), file=sys.stderr)
            else:
                print(stuck_message(e) or f"error: {e}", file=sys.stderr)
            end(EXIT_STUCK)
    else:
        dist.barrier()
    release(out, teardown_timeout)


def release(out, teardown_timeout):
    """Step 3 of the end (the module's doc): destroy the process group under the watchdog, once DDP is gone.
    A collective may still be finishing on a gloo worker thread then; finish's barrier makes that rare, and
    test/targets/teardown-order.py calls this directly with one left pending on purpose."""
    rank, world = rank_and_world()
    gc.collect()  # DDP has reference cycles; its Reducer must go while the process group is still registered
    ddp_alive = _job["ddp"] is not None and _job["ddp"]() is not None
    text = message("MTL5617", rank=rank, world=world, out=out, seconds=f"{teardown_timeout:g}")
    watchdog = _Watchdog(teardown_timeout, text, EXIT_TEARDOWN)
    stall("teardown")
    stall("teardown-gil")
    if ddp_alive:
        # Something still holds DDP, so destroying the group could be the deadlock of step 1: leave it to the exit.
        watchdog.cancel()
        end(0)
    dist.destroy_process_group()
    watchdog.cancel()


class _Watchdog:
    """Ends the process with ``code`` after ``seconds``, printing ``text`` and every thread's stack, unless
    cancelled first. faulthandler's timer, a C thread that needs no GIL, is the backstop."""

    def __init__(self, seconds, text, code):
        self._cancelled = threading.Event()
        faulthandler.dump_traceback_later(seconds + BACKSTOP_SECONDS, exit=True)
        threading.Thread(target=self._run, args=(seconds, text, code), name="mtl-teardown-watchdog", daemon=True).start()

    def _run(self, seconds, text, code):
        if self._cancelled.wait(seconds):
            return
        os.write(2, (text + "\n").encode("utf-8"))  # a raw write: the main thread may hold sys.stderr's lock
        faulthandler.dump_traceback(all_threads=True)
        os._exit(code)

    def cancel(self):
        self._cancelled.set()
        faulthandler.cancel_dump_traceback_later()


def stall(point):
    """The test hook MTL_TEST_STALL=POINT:RANK (the module's doc): stall here if this is that point and rank."""
    if os.environ.get("MTL_TEST_STALL") != f"{point}:{rank_and_world()[0]}":
        return
    if point == "teardown-gil":
        ctypes.PyDLL(None).sleep(STALL_SECONDS)  # libc's sleep called through PyDLL, which keeps the GIL
    else:
        time.sleep(STALL_SECONDS)
