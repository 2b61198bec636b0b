/**
 * The output guard and the output lock (src/artifact/output-guard.ts, dir-lock.ts): what a command may write
 * over, and that two writers of one output exclude each other.
 */
import { linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputDir, checkOutputFile, withOutputDir } from '../../src/artifact/output-guard.js';
import { lockFileOf, lockOutput } from '../../src/util/dir-lock.js';
import { writeManifest } from '../../src/artifact/manifest.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import { tempDir } from '../cli/helpers.js';

const tmp = tempDir('mtl-guard-');
afterAll(() => tmp.cleanup());
let n = 0;
/** A fresh directory for one case. */
const fresh = (): string => {
  const d = path.join(tmp.dir, `case-${++n}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** The code and message of what `p` rejects with (undefined when it resolves). */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (!isMtlError(e)) throw e;
    return { code: e.diagnostics[0]!.code, message: e.message };
  }
}

const opts = (cwd: string, extra: { inputs?: string[]; force?: boolean } = {}) => ({ inputs: extra.inputs ?? [], force: extra.force ?? false, cwd });

describe('checkOutputDir', () => {
  it('allows a missing or empty directory and an mtl output of the same kind', async () => {
    const d = fresh();
    expect(await failure(checkOutputDir(path.join(d, 'new'), 'model', opts(d)))).toBeUndefined();
    mkdirSync(path.join(d, 'empty'));
    expect(await failure(checkOutputDir(path.join(d, 'empty'), 'model', opts(d)))).toBeUndefined();
    const m = path.join(d, 'm');
    mkdirSync(path.join(m, 'checkpoint'), { recursive: true });
    writeFileSync(path.join(m, 'model.json'), '{}');
    writeFileSync(path.join(m, 'checkpoint', 'index.json'), '{}');
    await writeManifest(m, 'model');
    expect(await failure(checkOutputDir(m, 'model', opts(d)))).toBeUndefined();
  });

  it('refuses a directory with entries mtl did not write, naming them; --force overrides', async () => {
    const d = fresh();
    const v = path.join(d, 'v');
    mkdirSync(path.join(v, 'notes'), { recursive: true });
    writeFileSync(path.join(v, 'thesis.txt'), 'x');
    const f = await failure(checkOutputDir(v, 'model', opts(d)));
    expect(f?.code).toBe('MTL5330');
    expect(f?.message).toContain(`Refusing to write '${v}': it holds 2 entries that mtl did not write: notes/, thesis.txt.`);
    expect(await failure(checkOutputDir(v, 'model', opts(d, { force: true })))).toBeUndefined();
    // A model directory with a stray file: only the stray file is named.
    const m = path.join(d, 'm');
    mkdirSync(m);
    writeFileSync(path.join(m, 'model.json'), '{}');
    await writeManifest(m, 'model');
    writeFileSync(path.join(m, 'my-notes.md'), 'mine');
    expect((await failure(checkOutputDir(m, 'model', opts(d))))?.message).toContain('holds 1 entry that mtl did not write: my-notes.md.');
  });

  it('refuses another kind of mtl output, and a file', async () => {
    const d = fresh();
    const pkg = path.join(d, 'pkg');
    mkdirSync(pkg);
    writeFileSync(path.join(pkg, 'model.py'), '');
    await writeManifest(pkg, 'pytorch-package');
    const f = await failure(checkOutputDir(pkg, 'model', opts(d)));
    expect(f?.code).toBe('MTL5331');
    expect(f?.message).toContain('it is an mtl PyTorch package (mtl compile), not a model directory');
    writeFileSync(path.join(d, 'afile'), 'x');
    expect((await failure(checkOutputDir(path.join(d, 'afile'), 'model', opts(d))))?.code).toBe('MTL5339');
  });

  it('accepts a model directory of an mtl before manifests, but not a look-alike with other files', async () => {
    const d = fresh();
    const old = path.join(d, 'old');
    mkdirSync(path.join(old, 'checkpoint'), { recursive: true });
    for (const f of ['model.json', 'weights.bin', 'ir.json', 'preprocess.json', 'metrics.json', 'README.md']) writeFileSync(path.join(old, f), '');
    expect(await failure(checkOutputDir(old, 'model', opts(d)))).toBeUndefined();
    writeFileSync(path.join(old, 'data.csv'), 'a,b\n');
    expect((await failure(checkOutputDir(old, 'model', opts(d))))?.message).toContain('1 entry that mtl did not write: data.csv');
    // Just a README.md is not a model directory.
    const readme = path.join(d, 'readme-only');
    mkdirSync(readme);
    writeFileSync(path.join(readme, 'README.md'), '# mine');
    expect((await failure(checkOutputDir(readme, 'model', opts(d))))?.code).toBe('MTL5330');
  });

  it('never writes over an input, a directory holding one, or one inside an input directory, even with --force', async () => {
    const d = fresh();
    const proj = path.join(d, 'proj');
    mkdirSync(proj);
    const spec = path.join(proj, 'spec.mtl');
    writeFileSync(spec, 'model x');
    const contains = await failure(checkOutputDir(proj, 'model', opts(d, { inputs: [spec], force: true })));
    expect(contains?.code).toBe('MTL5332');
    expect(contains?.message).toContain(`Refusing to write '${proj}': it contains the input '${spec}'.`);
    const src = path.join(d, 'src-model');
    mkdirSync(src);
    expect((await failure(checkOutputDir(src, 'pytorch-run', opts(d, { inputs: [src], force: true }))))?.message).toContain('it is the input');
    expect((await failure(checkOutputDir(path.join(src, 'pt'), 'pytorch-run', opts(d, { inputs: [src], force: true }))))?.message).toContain('it lies inside the input');
    // Through a symbolic link to the project directory.
    const link = path.join(d, 'link');
    symlinkSync(proj, link);
    expect((await failure(checkOutputDir(link, 'model', opts(d, { inputs: [spec], force: true }))))?.code).toBe('MTL5332');
  });

  it('never uses the current, root or home directory (or an ancestor of one), even with --force', async () => {
    const d = fresh();
    const cwd = path.join(d, 'work');
    mkdirSync(cwd);
    expect((await failure(checkOutputDir(cwd, 'model', opts(cwd, { force: true }))))?.message).toContain('it is the current directory');
    expect((await failure(checkOutputDir(d, 'model', opts(cwd, { force: true }))))?.message).toContain('it contains the current directory');
    expect((await failure(checkOutputDir('/', 'model', opts(cwd, { force: true }))))?.code).toBe('MTL5333');
    expect((await failure(checkOutputDir(os.homedir(), 'model', opts(cwd, { force: true }))))?.message).toContain('the home directory');
  });
});

describe('checkOutputFile', () => {
  it('refuses an existing file without --force and an input always: by path, symlink and hard link', async () => {
    const d = fresh();
    const data = path.join(d, 'train.csv');
    writeFileSync(data, 'a\n1\n');
    expect(await failure(checkOutputFile(path.join(d, 'new.csv'), { inputs: [data], force: false }))).toBeUndefined();
    const other = path.join(d, 'old.csv');
    writeFileSync(other, 'x');
    expect((await failure(checkOutputFile(other, { inputs: [data], force: false })))?.code).toBe('MTL5335');
    expect(await failure(checkOutputFile(other, { inputs: [data], force: true }))).toBeUndefined();
    const same = await failure(checkOutputFile(data, { inputs: [data], force: true }));
    expect(same?.code).toBe('MTL5332');
    expect(same?.message).toContain(`Refusing to write '${data}': it is the input '${data}'.`);
    symlinkSync(data, path.join(d, 'sym.csv'));
    expect((await failure(checkOutputFile(path.join(d, 'sym.csv'), { inputs: [data], force: true })))?.code).toBe('MTL5332');
    linkSync(data, path.join(d, 'hard.csv'));
    expect((await failure(checkOutputFile(path.join(d, 'hard.csv'), { inputs: [data], force: true })))?.code).toBe('MTL5332');
    mkdirSync(path.join(d, 'adir'));
    expect((await failure(checkOutputFile(path.join(d, 'adir'), { inputs: [], force: false })))?.code).toBe('MTL5339');
  });
});

describe('the output lock', () => {
  it('refuses a second writer naming the first (pid, command, start), and is free again after release', async () => {
    const d = fresh();
    const out = path.join(d, 'out');
    const first = await lockOutput(out, 'mtl train a.mtl --out out');
    expect(existsSync(lockFileOf(out))).toBe(true);
    const f = await failure(lockOutput(out, 'mtl train b.mtl --out out'));
    expect(f?.code).toBe('MTL5334');
    expect(f?.message).toMatch(new RegExp(`being written by another mtl process: pid ${process.pid}, 'mtl train a\\.mtl --out out', started \\d{4}-\\d\\d-\\d\\dT`));
    await first.release();
    expect(existsSync(lockFileOf(out))).toBe(false);
    const again = await lockOutput(out, 'mtl train b.mtl --out out');
    await again.release();
  });

  it('takes over the lock of a process that no longer exists', async () => {
    const d = fresh();
    const out = path.join(d, 'out');
    // A pid that surely ended: a child that has exited and been reaped.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(lockFileOf(out), JSON.stringify({ pid: Number(dead), command: 'mtl train killed', started: '2026-01-01T00:00:00Z' }));
    const lock = await lockOutput(out, 'mtl train new');
    expect(JSON.parse(readFileSync(lockFileOf(out), 'utf8')).command).toBe('mtl train new');
    await lock.release();
  });

  it('withOutputDir cleans killed writers\' leftovers first: undoes a cut swap, removes temporaries (only its own)', async () => {
    const d = fresh();
    const out = path.join(d, 'out');
    // Killed between the swap's two renames: the previous model is parked as .old-out and out is missing.
    mkdirSync(path.join(d, '.old-out'));
    writeFileSync(path.join(d, '.old-out', 'model.json'), 'previous');
    await writeManifest(path.join(d, '.old-out'), 'model');
    mkdirSync(path.join(d, '.tmp-out-123-deadbeef'));
    mkdirSync(path.join(d, '.tmp-out-2-99-deadbeef')); // a temporary of another output, 'out-2'
    const guard = { kind: 'model' as const, inputs: [], force: false, cwd: d, command: 'mtl train' };
    await withOutputDir(out, guard, async () => undefined);
    expect(readFileSync(path.join(out, 'model.json'), 'utf8')).toBe('previous');
    expect(readdirSync(d).sort()).toEqual(['.tmp-out-2-99-deadbeef', 'out']);
    // Killed after both renames but before the parked copy was deleted: it is removed.
    mkdirSync(path.join(d, '.old-out'));
    await withOutputDir(out, guard, async () => undefined);
    expect(readdirSync(d).sort()).toEqual(['.tmp-out-2-99-deadbeef', 'out']);
  });

  it('withOutputDir releases the lock when the command fails, and refuses before locking a forbidden target', async () => {
    const d = fresh();
    const out = path.join(d, 'out');
    const guard = { kind: 'model' as const, inputs: [], force: false, cwd: d, command: 'mtl train' };
    await expect(withOutputDir(out, guard, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lockFileOf(out))).toBe(false);
    expect((await failure(withOutputDir(d, guard, async () => 1)))?.code).toBe('MTL5333');
    expect(existsSync(lockFileOf(d))).toBe(false);
  });
});
