"""Output files written atomically: each is written under a temporary name beside it, flushed to disk, and renamed
over the final name. A process killed at any moment (a rank stopped by the teardown watchdog, torchrun, the
scheduler) leaves the previous complete file or none, never a truncated one that loads as garbage.
"""
import json
import os


def replace(path, write):
    """Create ``path`` through ``write(tmp)``, which writes the whole file at ``tmp``; then rename it into place."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_json(path, value):
    """Write ``value`` as indented JSON to ``path``, atomically."""

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=2)

    replace(path, write)
