/**
 * Finding a Python interpreter that can `import torch`. Debian's python3-torch installs for /usr/bin/python3,
 * while the `python3` first on PATH may be another one (e.g. pyenv) without torch, so candidates are tried in
 * order: /usr/bin/python3, python3, python ($MTL_PYTHON, when set, instead of all of them).
 */
import { spawnSync } from 'node:child_process';

/** A Python that imports torch, with its torch version. */
export interface TorchPython {
  python: string;
  torchVersion: string;
}

let cached: TorchPython | null | undefined;

/**
 * The Pythons tried, in order (also for messages that say where torch was looked for). $MTL_PYTHON, when
 * set, is the only one: the user chose it, and a fallback would silently run another interpreter.
 */
export function torchPythonCandidates(): string[] {
  const chosen = process.env['MTL_PYTHON'];
  return chosen ? [chosen] : ['/usr/bin/python3', 'python3', 'python'];
}

/** The first candidate Python that imports torch, or null when none does (cached per process). */
export function findTorchPython(): TorchPython | null {
  if (cached !== undefined) return cached;
  for (const python of torchPythonCandidates()) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return (cached = { python, torchVersion: r.stdout.trim() });
  }
  return (cached = null);
}
