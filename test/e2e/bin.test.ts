/**
 * The real binary (`node bin/mtl.js`, over the compiled dist/): help, usage errors and their exit codes,
 * a broken spec, and a real SIGINT to a training child process followed by `--resume`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { ensureDist, runBin } from './helpers.js';
import { writeTinySpec } from './tiny.js';

const tmp = tempDir('mtl-e2e-bin-');
afterAll(() => tmp.cleanup());

// Building dist/ takes a while on 2 cores when src/ changed since the last build.
beforeAll(() => ensureDist(), 240_000);

describe('help and usage errors', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await runBin(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mtl \S+: /);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
  });

  it('train --help describes the flags and exits 0', async () => {
    const r = await runBin(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mtl train SPEC --out DIR/);
    for (const flag of ['--data', '--valid', '--out', '--epochs', '--resume', '--skip-bad-rows', '--backend']) expect(r.stdout).toContain(flag);
    expect(r.stderr).toBe('');
  });

  it('an unknown command exits 2 with a suggestion', async () => {
    const r = await runBin(['trian', 'specs/esmm.mtl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mtl: unknown command 'trian'. Did you mean 'train'? Run 'mtl --help' for the list.\n");
    expect(r.stdout).toBe('');
  });

  it('an unknown flag exits 2 with one line that suggests the closest flag', async () => {
    const r = await runBin(['train', 'specs/esmm.mtl', '--out', path.join(tmp.dir, 'x'), '--epoch', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mtl train: unknown option '--epoch'. Did you mean '--epochs'? Run 'mtl train --help' for its options.\n");
    expect(existsSync(path.join(tmp.dir, 'x'))).toBe(false);
  });

  it('a missing spec file exits 2 naming it', async () => {
    const r = await runBin(['check', 'no-such-spec.mtl'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-spec\.mtl/);
    expect(r.stderr).toMatch(/no such file/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('check on a broken spec exits 1 with located diagnostics and no stack trace', async () => {
    const spec = path.join(tmp.dir, 'broken.mtl');
    writeFileSync(spec, 'model broken\nfeatures {\n  categorical a hash 10 dim\n}\ntask t = nowhere loss bce(click)\n');
    const r = await runBin(['check', spec]);
    expect(r.code).toBe(1);
    const all = r.stdout + r.stderr;
    expect(all).toMatch(/broken\.mtl:\d+:\d+: error MTL\d{4}/);
    expect(hasStackTrace(all), all).toBe(false);
  });
});

describe('a real SIGINT', () => {
  it('stops training with exit 130 and a resumable checkpoint; --resume completes like an uninterrupted run', async () => {
    const dir = path.join(tmp.dir, 'sigint');
    mkdirSync(dir, { recursive: true });
    const spec = writeTinySpec(dir);
    const data = path.join(dir, 'train.csv');
    // 40,000 rows: an epoch lasts long enough that the signal sent at batch 100 lands before the run ends.
    expect((await runBin(['data', 'synth', 'esmm', '--rows', '40000', '--seed', '11', '--out', data])).code).toBe(0);
    const out = path.join(dir, 'model');

    let signalled = false;
    const r = await runBin(['train', spec, '--data', data, '--out', out, '--backend', 'wasm'], {
      cwd: dir,
      // Non-TTY progress prints a line every 100 steps: Ctrl-C at the first one, in the middle of epoch 1.
      onStderr: (all, child) => {
        if (!signalled && /epoch 1\/2 {2}batch \d+\/\d+ /.test(all)) {
          signalled = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(signalled).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted; finishing the current step/);
    // Usually mid-epoch 1; on a starved machine the signal may land a little later, which is as resumable.
    expect(r.stderr).toMatch(/interrupted (at epoch \d, batch \d+|after epoch \d); resume with --resume/);
    expect(r.stderr).toContain(`Continue with: mtl train ${spec} --out ${out} --resume`);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // The checkpoint of an interrupted run is in the staging directory OUT.partial; OUT is not created yet.
    expect(existsSync(path.join(`${out}.partial`, 'index.json'))).toBe(true);
    expect(existsSync(out)).toBe(false);

    const resumed = await runBin(['train', spec, '--data', data, '--out', out, '--backend', 'wasm', '--resume', '--format', 'json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain("mtl train: training step: direct (mtl's kernels, no tfjs tape)\n");
    expect((JSON.parse(resumed.stdout) as { trainStep: unknown }).trainStep).toEqual({ kind: 'direct' });
    for (const f of ['model.json', 'weights.bin', 'ir.json', 'preprocess.json', 'metrics.json', 'checkpoint']) expect(existsSync(path.join(out, f)), f).toBe(true);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { final: unknown; history: unknown[] };
    expect(metrics.history).toHaveLength(2);
    expect((JSON.parse(resumed.stdout) as { metrics: unknown }).metrics).toEqual(metrics.final);

    // The same run without the interruption (in-process, same backend and seed) ends with the same metrics.
    const full = path.join(dir, 'full');
    const f = await runCli(['train', spec, '--data', data, '--out', full, '--backend', 'wasm'], { cwd: dir });
    expect(f.code, f.stderr).toBe(0);
    expect(metrics.final).toEqual((JSON.parse(readFileSync(path.join(full, 'metrics.json'), 'utf8')) as { final: unknown }).final);

    // Commands that touch tfjs's cpu backend print no tfjs banner.
    const converted = await runBin(['convert', out, '--to', 'pytorch', '-o', path.join(dir, 'torch')], { cwd: dir });
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stderr + converted.stdout).not.toMatch(/TensorFlow\.js in Node\.js/);
  }, 90_000);

  it('on built-in data (no file reads to yield on), Ctrl-C stops at the end of the current step, mid-epoch', async () => {
    const dir = path.join(tmp.dir, 'sigint-synth');
    mkdirSync(dir, { recursive: true });
    const spec = writeTinySpec(dir);
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('features {', 'data { synth esmm rows 40000 }\n\nfeatures {'));
    let signalled = false;
    const r = await runBin(['train', spec, '--out', path.join(dir, 'model'), '--backend', 'wasm'], {
      cwd: dir,
      onStderr: (all, child) => {
        if (!signalled && /epoch 1\/2 {2}batch \d+/.test(all)) {
          signalled = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(signalled).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted at epoch 1, batch \d+; resume with --resume/);
  }, 90_000);
});
