"""Reads data files as W processes would (W threads whose all-gather is a barrier), for test/targets/shards.test.ts.

Usage: shards.py PACKAGE_DIR WORLD FILE_OR_PATTERN... ; prints one JSON object: each rank's records (with their
__file__, __row__ and __ordinal__) and the error each rank raised, if any.
"""
import json
import sys
import threading

sys.path.insert(0, sys.argv[1])
import data  # noqa: E402


def main():
    world, patterns = int(sys.argv[2]), sys.argv[3:]
    barrier = threading.Barrier(world, timeout=60)
    slots = [None] * world
    results, errors = [None] * world, [None] * world

    def gather_for(rank):
        def gather(obj):
            slots[rank] = obj
            barrier.wait()
            out = list(slots)
            barrier.wait()  # nobody overwrites a slot before every rank has copied them
            return out

        return gather

    def run(rank):
        try:
            results[rank] = data.read_shard(patterns, rank, world, gather_for(rank))[0]
        except data.DataError as e:  # a shared error is raised by every rank after the same gathers
            errors[rank] = {"message": str(e), "shared": e.shared}

    threads = [threading.Thread(target=run, args=(r,)) for r in range(world)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"ranks": results, "errors": errors}))


if __name__ == "__main__":
    main()
