/**
 * Non-regular data files, with the real binary: a named pipe (FIFO) as --data used to block the process in
 * open() for good (not even a second Ctrl-C ended it), /dev/zero never ends. Each must be refused up front
 * (MTL5051 / MTL5020) and the process must exit by itself. A child that is still running after a generous
 * guard is killed and the test fails, so a regression cannot hang the suite.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { pathToFileURL } from 'node:url';
import { BIN, ensureDist } from './helpers.js';
import { ROOT } from '../cli/helpers.js';

const tmp = tempDir('mtl-e2e-data-files-');
afterAll(() => tmp.cleanup());
const dir = tmp.dir;

/** Guard against a hang (not a timing assertion): a run still going after this long is killed. */
const HANG_GUARD_MS = 60_000;

/** Run the binary; `hung` is true when the guard had to kill it. */
function run(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string; hung: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, MTL_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hung = false;
    const guard = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_GUARD_MS);
    child.stdout.on('data', (b: Buffer) => void (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => void (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, hung });
    });
  });
}

const SPEC = `model files
features {
  categorical user hash 50 dim 2
  categorical city vocab "cities.txt" dim 2
}
labels { click: binary }
input all = concat(user, city)
tower ctr = mlp(4) on all -> sigmoid
task ctr = ctr loss bce(click)
train { batch 8 epochs 1 valid_split 0 }
`;

let spec = '';
let fifo = '';
beforeAll(() => {
  ensureDist();
  mkdirSync(dir, { recursive: true });
  spec = path.join(dir, 'files.mtl');
  writeFileSync(spec, SPEC);
  writeFileSync(path.join(dir, 'cities.txt'), 'paris\nrome\n');
  fifo = path.join(dir, 'data.fifo');
  execFileSync('mkfifo', [fifo]);
  symlinkSync(fifo, path.join(dir, 'link.csv'));
  writeFileSync(path.join(dir, 'good.csv'), 'user,city,click\nu1,paris,1\nu2,rome,0\n');
  mkdirSync(path.join(dir, 'a-directory'));
}, 240_000);

describe.skipIf(process.platform === 'win32')('non-regular data files are refused up front', () => {
  const CASES = [
    { what: 'a FIFO', data: () => fifo, kind: 'a named pipe \\(FIFO\\)' },
    { what: 'a symbolic link to a FIFO', data: () => path.join(dir, 'link.csv'), kind: 'a symbolic link to a named pipe \\(FIFO\\)' },
    { what: '/dev/zero', data: () => '/dev/zero', kind: 'a character device' },
    // A directory of its own: an output inside the data directory would be refused first (MTL5332).
    { what: 'a directory', data: () => path.join(dir, 'a-directory'), kind: 'a directory' },
  ];
  it.each(CASES)('$what as --data: exit 1 with MTL5051 naming the file and its kind, nothing written', async ({ data, kind }) => {
    const out = path.join(dir, 'out');
    const r = await run(['train', spec, '--data', data(), '--out', out]);
    expect(r.hung, 'the process had to be killed').toBe(false);
    expect(r.code, r.stderr).toBe(1);
    const file = data().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(r.stderr).toMatch(new RegExp(`error MTL5051: The data file '${file}' is ${kind}, not a regular file\\.`));
    expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('a FIFO as --valid', async () => {
    const v = await run(['train', spec, '--data', 'good.csv', '--valid', fifo, '--out', path.join(dir, 'out-v')]);
    expect([v.hung, v.code]).toEqual([false, 1]);
    expect(v.stderr).toMatch(/MTL5051: The data file '.*data\.fifo' is a named pipe \(FIFO\), not a regular file\./);
    expect(existsSync(path.join(dir, 'out-v'))).toBe(false);
  });

  it('a FIFO as a vocabulary file: MTL5020 says what it is', async () => {
    const vocabSpec = path.join(dir, 'vocab-fifo.mtl');
    writeFileSync(vocabSpec, SPEC.replace('cities.txt', 'data.fifo'));
    const r = await run(['train', vocabSpec, '--data', 'good.csv', '--out', path.join(dir, 'out-vocab')]);
    expect(r.hung, 'the process had to be killed').toBe(false);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/MTL5020: Cannot read the vocabulary file 'data\.fifo' of feature 'city': it is a named pipe \(FIFO\), not a regular file\./);
  });

  it('the good file next to them trains; predicting from a FIFO with that model is refused, no output written', async () => {
    const model = path.join(dir, 'out-good');
    const r = await run(['train', spec, '--data', 'good.csv', '--out', model]);
    expect([r.hung, r.code], r.stderr).toEqual([false, 0]);
    const p = await run(['predict', model, '--data', fifo, '--out', path.join(dir, 'p.csv')]);
    expect([p.hung, p.code], p.stderr).toEqual([false, 1]);
    expect(p.stderr).toMatch(/MTL5051: The data file '.*data\.fifo' is a named pipe \(FIFO\), not a regular file\./);
    expect(existsSync(path.join(dir, 'p.csv'))).toBe(false);
  });
});

describe.skipIf(process.platform === 'win32')('a second Ctrl-C', () => {
  it('ends the process even while a worker thread is blocked in a read', async () => {
    // A child runs mtl's main() on `check -` (waiting for stdin, which stays open) while another open()
    // of a FIFO occupies a libuv worker thread for good. process.exit() would wait for that thread.
    const blocked = path.join(dir, 'blocked.fifo');
    execFileSync('mkfifo', [blocked]);
    const script = path.join(dir, 'blocked-read.mjs');
    const mainJs = pathToFileURL(path.join(ROOT, 'dist', 'src', 'cli', 'main.js')).href;
    writeFileSync(
      script,
      `import { promises as fsp } from 'node:fs';
const { main } = await import(${JSON.stringify(mainJs)});
fsp.open(${JSON.stringify(blocked)}, 'r').catch(() => {});
const run = main(['check', '-']); // installs its SIGINT handler before it first awaits
process.stderr.write('ready\\n');
process.exitCode = await run;
`,
    );
    const r = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; hung: boolean }>((resolve, reject) => {
      const child = spawn(process.execPath, [script], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      let hung = false;
      let sent = 0;
      const guard = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, HANG_GUARD_MS);
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        // First Ctrl-C once main() runs; the second once it has acknowledged the first.
        if (sent === 0 && stderr.includes('ready')) (sent = 1), child.kill('SIGINT');
        if (sent === 1 && stderr.includes('Ctrl-C again to quit at once')) (sent = 2), child.kill('SIGINT');
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(guard);
        resolve({ code, signal, stderr, hung });
      });
    });
    expect(r.hung, `the process had to be killed; stderr: ${r.stderr}`).toBe(false);
    expect(r.stderr).toContain('Ctrl-C again to quit at once');
    // Killed by the re-raised SIGINT: what a shell reports as status 130.
    expect(r.signal === 'SIGINT' || r.code === 130, `code ${r.code}, signal ${r.signal}`).toBe(true);
  });
});
