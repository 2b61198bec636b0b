/**
 * Finding a Python interpreter that can `import torch`. Debian's python3-torch installs for /usr/bin/python3,
 * while the `python3` first on PATH may be another one (e.g. pyenv) without torch, so candidates are tried in
 * order: $MTL_PYTHON, /usr/bin/python3, python3, python.
 */
import { spawnSync } from 'node:child_process';

/** A Python that imports torch, with its torch version. */
export interface TorchPython {
  python: string;
  torchVersion: string;
}

let cached: TorchPython | null | undefined;

/** The first candidate Python that imports torch, or null when none does (cached per process). */
export function findTorchPython(): TorchPython | null {
  if (cached !== undefined) return cached;
  const candidates = [process.env['MTL_PYTHON'], '/usr/bin/python3', 'python3', 'python'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return (cached = { python, torchVersion: r.stdout.trim() });
  }
  return (cached = null);
}
