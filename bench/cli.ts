/**
 * Running the `mtl` CLI from the TypeScript sources (node --import tsx), as the bench's end-to-end and
 * serving parts do: they measure the command a user runs without needing a build of dist/.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Node's arguments to run `mtl ARGS` from the sources (in ROOT). */
function nodeArgs(args: readonly string[]): string[] {
  return ['--import', 'tsx', '-e', `import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); })`];
}

/** Run `mtl ARGS` to completion (stdout and stderr as text). */
export function runMtl(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, nodeArgs(args), { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env });
}

/** Start `mtl ARGS` as a long-running process (stdout ignored, stderr piped). */
export function spawnMtl(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, nodeArgs(args), { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
}
