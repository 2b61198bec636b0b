/**
 * `mtl train --init RUN` starts its learning-rate schedule again (warm-up and decay over the new run's own
 * updates, a fresh optimiser), checked against a PyTorch computation of the same steps: the generated
 * train.py started from RUN's weights (`--init`, converted with `mtl convert`) and preprocessing state
 * (`--preprocess`) on the same data. Each epoch is one full batch, so both take exactly the same updates
 * whatever their shuffles; a run that kept RUN's position in the schedule would end elsewhere (checked too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../cli/run-cli.js';
import { likesSpec } from '../cli/helpers.js';
import { runPython, torchPython } from './python-env.js';

// SGD: Adam's first steps amplify float32 rounding in rows whose gradient is near 0 (a hashed row shared by
// users of both labels), which would blur a comparison of schedules; SGD's steps are linear in the rate.
const RECIPE = 'optimizer sgd lr 0.5 batch 64 seed 7 valid_split 0 schedule linear warmup 3 min_lr 0.01';

/** `rows` rows: user u0..u39, y = 1 for even users, x a little noisy. */
function csv(rows: number, start: number): string {
  const lines = ['user,x,y'];
  for (let i = start; i < start + rows; i++) lines.push(`u${(i * 7) % 40},${((i * 13) % 10) / 2},${((i * 7) % 40) % 2 === 0 ? 1 : 0}`);
  return lines.join('\n') + '\n';
}

describe.skipIf(!torchPython)('mtl train --init restarts the schedule, as the PyTorch target does', () => {
  let dir: string;
  const p = (f: string): string => path.join(dir, f);
  const cli = async (args: string[]): Promise<void> => {
    const r = await runCli(args, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  };
  /** Every tensor of a model.safetensors, flattened, by name (PyTorch's names). */
  const tensors = (file: string): Record<string, number[]> =>
    JSON.parse(runPython(['-c', `import json, sys; sys.path.insert(0, ${JSON.stringify(p('pkg'))}); import weights; print(json.dumps({k: v.reshape(-1).tolist() for k, v in weights.load(${JSON.stringify(file)}).items()}))`]));

  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-init-schedule-'));
    await fsp.writeFile(p('spec.mtl'), likesSpec(`${RECIPE} epochs 6`));
    await fsp.writeFile(p('a.csv'), csv(256, 0));
    await fsp.writeFile(p('b.csv'), csv(64, 5000));
    await cli(['train', 'spec.mtl', '--data', 'a.csv', '--out', 'run']);
    await cli(['compile', 'spec.mtl', '--target', 'pytorch', '-o', 'pkg']);
    await cli(['convert', 'run', '--to', 'pytorch', '-o', 'run-pt']);
  }, 240_000);

  afterAll(async () => {
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  it('five full-batch updates from RUN end with the weights train.py --init computes (within 1e-6)', async () => {
    await cli(['train', 'spec.mtl', '--init', 'run', '--data', 'b.csv', '--out', 'next', '--epochs', '5']);
    await cli(['convert', 'next', '--to', 'pytorch', '-o', 'next-pt']);
    const train = (out: string, extra: string[]): void => {
      runPython([p('pkg/train.py'), '--data', p('b.csv'), '--out', p(out), '--init', p('run-pt/model.safetensors'), '--preprocess', p('run/preprocess.json'), '--epochs', '5', '--valid-split', '0', ...extra]);
    };
    train('torch-next', []);
    const [ours, theirs, start] = [tensors(p('next-pt/model.safetensors')), tensors(p('torch-next/model.safetensors')), tensors(p('run-pt/model.safetensors'))];
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    let worst = 0;
    let moved = 0;
    for (const [name, values] of Object.entries(ours)) {
      values.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - theirs[name]![i]!));
        moved = Math.max(moved, Math.abs(v - start[name]![i]!));
      });
    }
    expect(moved).toBeGreaterThan(0.01); // the five updates moved the weights …
    expect(worst).toBeLessThan(1e-6); // … exactly as PyTorch's restarted schedule did
    // The comparison tells schedules apart: the same five updates at a tenth of the rate end far away.
    train('torch-kept', ['--lr', '0.05']);
    const kept = tensors(p('torch-kept/model.safetensors'));
    let apart = 0;
    for (const [name, values] of Object.entries(ours)) values.forEach((v, i) => (apart = Math.max(apart, Math.abs(v - kept[name]![i]!))));
    expect(apart).toBeGreaterThan(100 * worst + 1e-3);
  }, 240_000);
});
