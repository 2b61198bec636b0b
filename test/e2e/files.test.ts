/**
 * "Files are sacred", as a user meets it: the outside audit's cases run through the CLI. Output directories
 * holding other files, the current directory and inputs are refused; output files are not silently replaced;
 * a failed, interrupted or killed run leaves the previous model byte-identical and resumable; two runs on one
 * output exclude each other; corrupted model directories are named; full and read-only disks give a located
 * message. Cheap cases run in-process (runCli); kill -9, Ctrl-C and concurrency use real processes of
 * bin/mtl.js on the tiny spec.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, cpSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { BIN, ensureDist, runBin, runBinSignalling, snapshotDir } from './helpers.js';
import { writeTinySpec } from './tiny.js';

const tmp = tempDir('mtl-e2e-files-');
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', [m]);
    } catch {
      /* not mounted */
    }
  }
  tmp.cleanup();
});

const work = (...p: string[]): string => path.join(tmp.dir, ...p);
let spec: string;
let data: string;
/** 40,000 rows (epochs of seconds, not tens of ms): runs that must still be going when a signal lands train on it. */
let bigger: string;
/** A finished model of the tiny spec (trained once, copied by the tests that change it). */
let model: string;

beforeAll(async () => {
  ensureDist();
  spec = writeTinySpec(tmp.dir);
  data = work('train.csv');
  expect((await runCli(['data', 'synth', 'esmm', '--rows', '4000', '--seed', '11', '--out', data], { cwd: tmp.dir })).code).toBe(0);
  bigger = work('bigger.csv');
  expect((await runCli(['data', 'synth', 'esmm', '--rows', '40000', '--seed', '12', '--out', bigger], { cwd: tmp.dir })).code).toBe(0);
  model = work('model');
  const r = await runCli(['train', spec, '--data', data, '--out', model, '--backend', 'wasm'], { cwd: tmp.dir });
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

/** A copy of the trained model in a new directory. */
function copyModel(name: string): string {
  const dir = work(name);
  cpSync(model, dir, { recursive: true });
  return dir;
}

/** Mount a tmpfs at a new directory; undefined (with the reason) when this machine does not allow it. */
function mountTmpfs(name: string, options: string): { dir?: string; reason?: string } {
  const dir = work(name);
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    return { reason: `cannot mount a tmpfs here (needs root): ${(e as Error).message.split('\n')[0]}` };
  }
  mounts.push(dir);
  return { dir };
}

describe('output directories', () => {
  it("refuses a directory holding the user's files, naming them; nothing is deleted; --force replaces it", async () => {
    const v = work('v');
    mkdirSync(path.join(v, 'notes'), { recursive: true });
    writeFileSync(path.join(v, 'thesis.txt'), 'x');
    const r = await runCli(['train', spec, '--data', data, '--out', v, '--epochs', '1'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error MTL5330: Refusing to write '${v}': it holds 2 entries that mtl did not write: notes/, thesis.txt.`);
    expect(readFileSync(path.join(v, 'thesis.txt'), 'utf8')).toBe('x');
    expect(readdirSync(v).sort()).toEqual(['notes', 'thesis.txt']);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('.'))).toEqual([]);
    const forced = await runCli(['train', spec, '--data', data, '--out', v, '--epochs', '1', '--force'], { cwd: tmp.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(path.join(v, 'model.json'))).toBe(true);
  }, 30_000);

  it('refuses --out . (the project with the spec and data), even with --force', async () => {
    const proj = work('proj');
    mkdirSync(proj);
    copyFileSync(spec, path.join(proj, 'spec.mtl'));
    copyFileSync(data, path.join(proj, 'train.csv'));
    const before = snapshotDir(proj);
    const r = await runCli(['train', 'spec.mtl', '--data', 'train.csv', '--out', '.', '--force'], { cwd: proj });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error MTL5333: Refusing to use '${proj}' as an output directory: it is the current directory.`);
    const up = await runCli(['train', 'proj/spec.mtl', '--data', 'proj/train.csv', '--out', 'proj', '--force'], { cwd: tmp.dir });
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`error MTL5332: Refusing to write '${proj}': it contains the input '${path.join(proj, 'spec.mtl')}'.`);
    expect(snapshotDir(proj)).toEqual(before);
  });

  it('compile -o and convert -o refuse foreign directories, other kinds and their own source', async () => {
    const notes = work('compile-notes');
    mkdirSync(notes);
    writeFileSync(path.join(notes, 'todo.txt'), 'mine');
    const c = await runCli(['compile', spec, '--target', 'pytorch', '-o', notes], { cwd: tmp.dir });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('it holds 1 entry that mtl did not write: todo.txt');
    expect(readdirSync(notes)).toEqual(['todo.txt']);
    const before = snapshotDir(model);
    const onModel = await runCli(['compile', spec, '--target', 'pytorch', '-o', model], { cwd: tmp.dir });
    expect(onModel.code).toBe(1);
    expect(onModel.stderr).toContain(`error MTL5331: Refusing to write '${model}': it is an mtl model directory (mtl train / mtl convert --to tfjs), not a PyTorch package (mtl compile).`);
    const pkg = work('pkg');
    for (let i = 0; i < 2; i++) expect((await runCli(['compile', spec, '--target', 'pytorch', '-o', pkg], { cwd: tmp.dir })).code, 'compile into its own package again').toBe(0);
    const self = await runCli(['convert', model, '--to', 'pytorch', '-o', model, '--force'], { cwd: tmp.dir });
    expect(self.code).toBe(1);
    expect(self.stderr).toContain(`error MTL5332: Refusing to write '${model}': it is the input '${model}'.`);
    const inside = await runCli(['convert', model, '--to', 'pytorch', '-o', path.join(model, 'pt')], { cwd: tmp.dir });
    expect(inside.stderr).toContain('it lies inside the input');
    expect(snapshotDir(model)).toEqual(before);
    const pt = work('pt');
    expect((await runCli(['convert', model, '--to', 'pytorch', '-o', pt], { cwd: tmp.dir })).code).toBe(0);
    expect((await runCli(['convert', model, '--to', 'pytorch', '-o', pt], { cwd: tmp.dir })).code, 'convert into its own output again').toBe(0);
  }, 30_000);
});

describe('output files', () => {
  it('predict --out never writes over its data file, even with --force (also through a symlink)', async () => {
    const d = work('predict-data.csv');
    copyFileSync(data, d);
    const before = readFileSync(d);
    for (const force of [[], ['--force']]) {
      const r = await runCli(['predict', model, '--data', d, '--out', d, ...force], { cwd: tmp.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error MTL5332: Refusing to write '${d}': it is the input '${d}'.`);
    }
    const bin = path.join(model, 'weights.bin');
    const w = await runCli(['predict', model, '--data', d, '--out', bin, '--force'], { cwd: tmp.dir });
    expect(w.stderr).toContain(`it is the input '${bin}'`);
    expect(readFileSync(d)).toEqual(before);
    // report reads the run's recorded training data by default: that file is an input too.
    const trainBefore = readFileSync(data);
    const rep = await runCli(['report', model, '-o', data, '--force'], { cwd: tmp.dir });
    expect(rep.code).toBe(1);
    expect(rep.stderr).toContain(`error MTL5332: Refusing to write '${data}': it is the input '${data}'.`);
    expect(readFileSync(data)).toEqual(trainBefore);
  });

  it('predict, graph, report and data synth refuse an existing file without --force and replace it with', async () => {
    const out = work('existing.out');
    const cases: string[][] = [
      ['predict', model, '--data', data, '--out', out],
      ['graph', spec, '-o', out, '--format', 'svg'],
      ['report', model, '-o', out, '--no-gates'],
      ['data', 'synth', 'esmm', '--rows', '10', '--out', out],
    ];
    for (const args of cases) {
      writeFileSync(out, 'precious');
      const r = await runCli(args, { cwd: tmp.dir });
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr).toContain(`error MTL5335: Refusing to replace the existing file '${out}'.`);
      expect(readFileSync(out, 'utf8')).toBe('precious');
      const f = await runCli([...args, '--force'], { cwd: tmp.dir });
      expect(f.code, `${args[0]} --force: ${f.stderr}`).toBe(0);
      expect(readFileSync(out, 'utf8')).not.toBe('precious');
    }
    const g = await runCli(['graph', spec, '-o', spec, '--format', 'svg', '--force'], { cwd: tmp.dir });
    expect(g.stderr).toContain(`it is the input '${spec}'`);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 30_000);
});

describe('integrity of model directories', () => {
  it('eval names a flipped byte in weights.bin, a renamed output and a foreign preprocess.json (exit 1, no stack)', async () => {
    const flipped = copyModel('flipped');
    const w = readFileSync(path.join(flipped, 'weights.bin'));
    w[100] = w[100]! ^ 0x10;
    writeFileSync(path.join(flipped, 'weights.bin'), w);
    const renamed = copyModel('renamed');
    const mj = path.join(renamed, 'model.json');
    writeFileSync(mj, readFileSync(mj, 'utf8').replaceAll('"ctcvr"', '"ctcvr2"'));
    const foreign = copyModel('foreign');
    const other = work('other');
    expect((await runCli(['train', spec, '--data', data, '--out', other, '--epochs', '1', '--seed', '8', '--backend', 'wasm'], { cwd: tmp.dir })).code).toBe(0);
    copyFileSync(path.join(other, 'preprocess.json'), path.join(foreign, 'preprocess.json'));
    for (const [dir, file] of [[flipped, 'weights.bin'], [renamed, 'model.json'], [foreign, 'preprocess.json']] as const) {
      const r = await runCli(['eval', dir, '--data', data], { cwd: tmp.dir });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`error MTL5336: The file '${path.join(dir, file)}' fails verification`);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
    // convert --to pytorch reads the model directory itself: it verifies it the same way.
    const c = await runCli(['convert', flipped, '--to', 'pytorch', '-o', work('flipped-pt')], { cwd: tmp.dir });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain(`error MTL5336: The file '${path.join(flipped, 'weights.bin')}' fails verification`);
    expect(existsSync(work('flipped-pt'))).toBe(false);
  }, 60_000);

  it('a renamed output in a directory without a manifest is an MTL error too, not exit 3', async () => {
    const renamed = copyModel('renamed-legacy');
    execFileSync('rm', [path.join(renamed, 'mtl-artifact.json')]);
    const mj = path.join(renamed, 'model.json');
    writeFileSync(mj, readFileSync(mj, 'utf8').replaceAll('"ctcvr"', '"ctcvr2"'));
    const r = await runCli(['eval', renamed, '--data', data], { cwd: tmp.dir });
    expect(r.stderr).toContain('warning MTL5337');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`error MTL5311: The model in '${renamed}' does not match its ir.json: model.json has no output 'ctcvr', which ir.json declares (outputs: ctr, cvr, ctcvr2).`);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('checkpoint integrity', () => {
  it('--resume from a checkpoint whose index.json lost a field: exit 1 naming index.json, not an internal error', async () => {
    const m = copyModel('edited-index');
    const index = path.join(m, 'checkpoint', 'index.json');
    const json = JSON.parse(readFileSync(index, 'utf8')) as Record<string, unknown>;
    delete json.info;
    writeFileSync(index, JSON.stringify(json));
    const r = await runCli(['train', spec, '--data', data, '--out', m, '--epochs', '3', '--resume'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error MTL5302: The checkpoint file '${index}' is corrupt: its own checksum (indexSha256) does not match its content.`);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('a run that fails, is interrupted or killed leaves the previous model as it was', () => {
  it('a data error in the second run: the previous model and its checkpoint are byte-identical', async () => {
    const m = copyModel('data-error');
    const before = snapshotDir(m);
    const bad = work('bad.csv');
    const lines = readFileSync(data, 'utf8').split('\n');
    lines[3500] = 'not,enough';
    writeFileSync(bad, lines.join('\n'));
    const r = await runCli(['train', spec, '--data', bad, '--out', m, '--epochs', '2'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(snapshotDir(m)).toEqual(before);
  }, 30_000);

  it('kill -9 after the first checkpoint: previous model byte-identical; --resume continues from OUT.partial', async () => {
    const m = copyModel('killed');
    const before = snapshotDir(m);
    // The epoch summary line is printed after that epoch's checkpoint is written.
    const r = await runBinSignalling(['train', spec, '--data', bigger, '--out', m, '--backend', 'wasm', '--epochs', '3'], /\nepoch 1\/3 {2}loss /, 'SIGKILL', tmp.dir);
    expect(r.signalled).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(snapshotDir(m)).toEqual(before);
    expect(existsSync(path.join(`${m}.partial`, 'index.json'))).toBe(true);
    // The killed process's lock is stale: the next run takes it over.
    expect(existsSync(work('.killed.mtl-lock'))).toBe(true);
    const resumed = await runBin(['train', spec, '--data', bigger, '--out', m, '--backend', 'wasm', '--epochs', '3', '--resume', '--format', 'json'], { cwd: tmp.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    // It continued after epoch 1 rather than starting over.
    expect(resumed.stderr).not.toMatch(/epoch 1\/3/);
    expect(resumed.stderr).toMatch(/epoch 2\/3 {2}loss /);
    const metrics = JSON.parse(readFileSync(path.join(m, 'metrics.json'), 'utf8')) as { history: unknown[] };
    expect(metrics.history).toHaveLength(3);
    expect(existsSync(`${m}.partial`)).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('.') && n.includes('killed'))).toEqual([]);
  }, 90_000);

  it('Ctrl-C in the second run: exit 130, previous model byte-identical, lock removed, --resume works', async () => {
    const m = copyModel('sigint');
    const before = snapshotDir(m);
    const r = await runBinSignalling(['train', spec, '--data', bigger, '--out', m, '--backend', 'wasm', '--epochs', '2'], /epoch 1\/2 {2}batch \d+\//, 'SIGINT', tmp.dir);
    expect(r.signalled).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`is unchanged and a resumable checkpoint is in ${m}.partial`);
    expect(snapshotDir(m)).toEqual(before);
    expect(existsSync(work('.sigint.mtl-lock'))).toBe(false);
    const resumed = await runBin(['train', spec, '--data', bigger, '--out', m, '--backend', 'wasm', '--resume'], { cwd: tmp.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(snapshotDir(m)).not.toEqual(before);
  }, 90_000);
});

describe('two runs on one output', () => {
  it('the second gets a clear error naming the running process; the first is unaffected', async () => {
    const out = work('shared');
    const first = spawn(process.execPath, [BIN, 'train', spec, '--data', data, '--out', out, '--backend', 'wasm', '--epochs', '50'], { cwd: tmp.dir });
    let stderr = '';
    const started = new Promise<void>((resolve) =>
      first.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (/batch \d+\//.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
    await started;
    for (const args of [
      ['train', spec, '--data', data, '--out', out, '--backend', 'wasm'],
      ['convert', model, '--to', 'tfjs', '-o', out],
    ]) {
      const second = await runBin(args, { cwd: tmp.dir });
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`error MTL5334: '${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is being written by another mtl process: pid ${first.pid}, 'mtl train .*--epochs 50', started \\d{4}-`));
    }
    first.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(work('.shared.mtl-lock'))).toBe(false);
  }, 120_000);
});

describe('write errors', () => {
  it('a file where a directory is needed, or a directory where a file is: exit 1 naming the path, no stack', async () => {
    const afile = work('a-file');
    writeFileSync(afile, 'x');
    const cases: Array<[string[], RegExp]> = [
      [['data', 'synth', 'esmm', '--rows', '10', '--out', path.join(afile, 'x.csv')], /error MTL5308: Cannot write '.*a-file.*': (ENOTDIR|EEXIST)/],
      [['train', spec, '--data', data, '--out', path.join(afile, 'model'), '--epochs', '1'], /error MTL5308: Cannot write '.*a-file.*': (ENOTDIR|EEXIST)/],
      [['train', spec, '--data', data, '--out', afile, '--epochs', '1'], /error MTL5339: Refusing to write '.*a-file': a file of that name exists/],
      [['predict', model, '--data', data, '--out', work('notes'), '--force'], /error MTL5308: Cannot write '.*notes': EISDIR/],
    ];
    mkdirSync(work('notes'), { recursive: true });
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd: tmp.dir });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
    expect(readFileSync(afile, 'utf8')).toBe('x');
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 30_000);

  it('a full disk: data synth, predict and train exit 1 naming the file, no stack, no temporaries', async (ctx) => {
    const { dir, reason } = mountTmpfs('full', 'size=1m');
    if (!dir) return ctx.skip(reason);
    const big = await runCli(['data', 'synth', 'esmm', '--rows', '200000', '--out', path.join(dir, 'big.csv')], { cwd: tmp.dir });
    expect(big.code).toBe(1);
    expect(big.stderr).toContain(`error MTL5308: Cannot write '${path.join(dir, 'big.csv')}': ENOSPC`);
    expect(hasStackTrace(big.stderr)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    // Fill the disk, then write a model and predictions into it.
    writeFileSync(path.join(dir, 'filler'), Buffer.alloc(1000 * 1024));
    const t = await runCli(['train', spec, '--data', data, '--out', path.join(dir, 'model'), '--epochs', '1', '--backend', 'wasm'], { cwd: tmp.dir });
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/error MTL5308: Cannot write '.*': .*ENOSPC/);
    expect(hasStackTrace(t.stderr)).toBe(false);
    const p = await runCli(['predict', model, '--data', data, '--out', path.join(dir, 'p.csv')], { cwd: tmp.dir });
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(`error MTL5308: Cannot write '${path.join(dir, 'p.csv')}': ENOSPC`);
    expect(readdirSync(dir)).toEqual(['filler']);
  }, 60_000);

  it('a read-only file system: every writing command exits 1 naming the file, no stack', async (ctx) => {
    const { dir, reason } = mountTmpfs('readonly', 'ro');
    if (!dir) return ctx.skip(reason);
    const cases: string[][] = [
      ['data', 'synth', 'esmm', '--rows', '10', '--out', path.join(dir, 'x.csv')],
      ['graph', spec, '-o', path.join(dir, 'g.svg')],
      ['predict', model, '--data', data, '--out', path.join(dir, 'p.csv')],
      ['train', spec, '--data', data, '--out', path.join(dir, 'model'), '--epochs', '1'],
      ['compile', spec, '--target', 'pytorch', '-o', path.join(dir, 'pkg')],
    ];
    for (const args of cases) {
      const r = await runCli(args, { cwd: tmp.dir });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`error MTL5308: Cannot write '${dir}/.*': .*EROFS`));
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  }, 60_000);
});
