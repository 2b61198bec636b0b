/**
 * A torchrun job of the generated package cannot hang at its end (templates/distributed.py). The cause of the hang
 * CI met (the gloo group destroyed by DDP's Reducer with the GIL held) is checked in the state that triggered it,
 * made deterministic by teardown-order.py. Then a rank made to stall by the template's test hook
 * (MTL_TEST_STALL=POINT:RANK) is ended by the timeout under test, with its diagnostic (MTL5616–MTL5618) and exit
 * status, and rank 0's outputs are complete (every file written atomically). No case depends on how fast the
 * machine is: the stalled rank sleeps for an hour, so only the timeout under test can end the run, and the spawn
 * limit (180 s) is far above it. The four stalled runs go side by side (they mostly wait on their timeouts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diag } from '../../src/diagnostics/catalog.js';
import { FILE_START } from '../../src/diagnostics/types.js';
import { templateDir } from '../../src/targets/pytorch/index.js';
import { runPython, spawnPython, spawnPythonAsync, torchPython } from './python-env.js';
import { esmmPackage, events, freePort, SHORT_RUN, TORCHRUN } from './ddp-helpers.js';

/** The files rank 0 writes by the end of a run. */
const OUTPUTS = ['checkpoint.pt', 'ir.json', 'metrics.json', 'model.safetensors', 'preprocess.json'];

describe.skipIf(!torchPython)('the end of a torchrun job of the generated package', () => {
  let tmp: string;
  let pkg: string;
  let csv: string;
  const ARGS = SHORT_RUN;

  beforeAll(async () => {
    ({ tmp, pkg, csv } = await esmmPackage('mtl-teardown-'));
  });

  afterAll(async () => {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  /** A 2-process run with rank `stall` stalled (MTL_TEST_STALL) and the extra arguments. */
  async function stalled(stall: string, out: string, extra: string[]) {
    const launch = [...TORCHRUN(2), '--master_port', String(await freePort()), path.join(pkg, 'train.py'), '--data', csv, '--out', out, ...ARGS, ...extra];
    const r = await spawnPythonAsync(launch, { env: { MTL_TEST_STALL: stall }, timeoutMs: 180_000 });
    // Ended by the timeout under test, not by the spawn limit (status null) or a kill by signal.
    expect(r.status, r.stderr).toBe(1); // torchrun's status when a worker failed
    return r;
  }

  /** The message and hint of a diagnostic as train.py prints them (`error CODE: message`, `  hint: ...`). */
  function printed(d: ReturnType<typeof diag>): string {
    return `${d.severity} ${d.code}: ${d.message}\n  hint: ${d.hint}`;
  }

  /** Every output is there and whole: the weights and the checkpoint load, the JSON parses, no temporary file is left. */
  async function expectComplete(out: string) {
    const files = (await fsp.readdir(out)).sort();
    expect(files).toEqual(OUTPUTS);
    for (const f of ['ir.json', 'metrics.json', 'preprocess.json']) JSON.parse(await fsp.readFile(path.join(out, f), 'utf8'));
    const script = `import sys, torch; sys.path.insert(0, ${JSON.stringify(pkg)}); import weights
w = weights.load(${JSON.stringify(path.join(out, 'model.safetensors'))}); c = torch.load(${JSON.stringify(path.join(out, 'checkpoint.pt'))})
assert sorted(w) == sorted(k for k in c["model"] if not k.endswith("num_batches_tracked")), "weights and checkpoint differ"
print(len(w), c["step"])`;
    const [tensors, step] = runPython(['-c', script]).trim().split(' ').map(Number);
    expect(tensors).toBeGreaterThan(0);
    expect(step).toBe(4);
  }

  it('the process group is destroyed while a collective still finishes on a gloo worker (the old order deadlocked)', async () => {
    // teardown-order.py keeps an all-reduce of a Python tensor pending on rank 0's gloo worker while the package's
    // distributed.release destroys the group: the state in which train.py's old order (DDP's Reducer freeing the
    // group with the GIL held) hung. Rank 1 joins the all-reduce only after rank 0 has started releasing.
    const launch = [...TORCHRUN(2), '--master_port', String(await freePort()), path.join(import.meta.dirname, 'teardown-order.py'), pkg, path.join(tmp, 'releasing')];
    const r = spawnPython(launch, { timeoutMs: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('[default0]:pending True');
    expect(r.stdout).toContain('[default0]:released');
    expect(r.stdout).toContain('[default1]:released');
  }, 200_000);

  it.concurrent('a rank stuck in the teardown ends with MTL5617 and exit status 4 after --teardown-timeout; the outputs are complete', async () => {
    const out = path.join(tmp, 'teardown');
    const r = await stalled('teardown:1', out, ['--teardown-timeout', '10']);
    expect(events(r.stdout).map((e) => e.event)).toContain('done');
    expect(r.stderr).toContain(printed(diag('MTL5617', FILE_START, { rank: 1, world: 2, out, seconds: 10 })));
    // The stacks say where it was stuck; torchrun's summary has the rank's status.
    expect(r.stderr).toMatch(/File ".*distributed\.py", line \d+ in stall/);
    expect(r.stderr).toMatch(/rank\s*: 1 \(local_rank: 1\)\s+exitcode\s*: 4/);
    await expectComplete(out);
  }, 200_000);

  it.concurrent('a stuck call that holds the GIL still ends: faulthandler prints the stacks and exits with status 1', async () => {
    const out = path.join(tmp, 'teardown-gil');
    const r = await stalled('teardown-gil:1', out, ['--teardown-timeout', '5']);
    // The watchdog thread cannot run without the GIL; faulthandler's timer fires 10 s after it would have.
    expect(r.stderr).toContain('Timeout (0:00:15)!');
    expect(r.stderr).toMatch(/File ".*distributed\.py", line \d+ in stall/);
    expect(r.stderr).toMatch(/rank\s*: 1 \(local_rank: 1\)\s+exitcode\s*: 1/);
    await expectComplete(out);
  }, 200_000);

  it.concurrent('a rank that never comes to the end is named by rank 0 (MTL5618, exit status 3); the outputs are complete', async () => {
    const out = path.join(tmp, 'finish');
    const r = await stalled('finish:1', out, ['--teardown-timeout', '10']);
    expect(r.stderr).toContain(printed(diag('MTL5618', FILE_START, { world: 2, ranks: '1', seconds: 10, out })));
    expect(r.stderr).toMatch(/rank\s*: 0 \(local_rank: 0\)\s+exitcode\s*: 3/);
    await expectComplete(out);
  }, 200_000);

  it.concurrent('a rank that stops answering during training stops the others after --dist-timeout with MTL5616 (exit status 3)', async () => {
    const out = path.join(tmp, 'step');
    // 20 s: the waits before the stall (start-up, reading the data) end in well under a second.
    const r = await stalled('step:1', out, ['--dist-timeout', '20']);
    const d = diag('MTL5616', FILE_START, { rank: 0, world: 2, phase: 'training epoch 1', reason: 'REASON', seconds: 20 });
    const [before, after] = d.message.split('REASON');
    expect(r.stderr).toContain(`error MTL5616: ${before}Timed out waiting 20000ms for recv operation to complete${after}`);
    expect(r.stderr).toContain(`  hint: ${d.hint}`);
    expect(r.stderr).not.toMatch(/File ".*train\.py", line/); // a message, not a traceback
    expect(r.stderr).toMatch(/rank\s*: 0 \(local_rank: 0\)\s+exitcode\s*: 3/);
    // Nothing half-written: what exists is whole, and no temporary file is left.
    expect(await fsp.readdir(out)).toEqual(['preprocess.json']);
  }, 200_000);
});

describe.skipIf(!torchPython)('outputs.py: atomic writes', () => {
  it('a write that fails half-way leaves the previous file and no temporary file', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-outputs-'));
    try {
      const file = path.join(dir, 'metrics.json');
      const script = `import sys; sys.path.insert(0, ${JSON.stringify(templateDir())}); import outputs
outputs.write_json(${JSON.stringify(file)}, {"v": 1})
def half(tmp):
    with open(tmp, "w") as f:
        f.write('{"v": ')
    raise OSError("disk full")
try:
    outputs.replace(${JSON.stringify(file)}, half)
except OSError as e:
    print(e)`;
      expect(runPython(['-c', script]).trim()).toBe('disk full');
      expect(JSON.parse(await fsp.readFile(file, 'utf8'))).toEqual({ v: 1 });
      expect(await fsp.readdir(dir)).toEqual(['metrics.json']);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
