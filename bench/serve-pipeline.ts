/**
 * The CPU time of `mtl serve`'s work per 1,024 rows, in process, without HTTP or a load generator: what one
 * micro-batch of four 256-row requests costs the server (the batch-256 × 64-connection cell of the serving
 * bench). CPU time, not wall time, so that a shared machine's other work changes it little. Phases:
 *   parse   JSON.parse of the four bodies and the request checks (parsePredictRequest)
 *   score   encoding the rows and the forward pass (the model's scorer, as the batcher calls it)
 *   answer  the four JSON answers (as bytes: Buffer.byteLength flattens the text as the socket write does)
 *   encoding / forward: the rows' encoding alone, and the forward pass alone on the encoded batch (the
 *           predictor `mtl predict` uses): the two parts of `score`
 *
 *   npx tsx bench/serve-pipeline.ts --model DIR [--root CHECKOUT] [--n 40]
 *
 * `--root` runs another checkout's sources (e.g. `git archive BASE | tar -x -C DIR` with node_modules and
 * native/build linked) for a before/after comparison; run the two alternately. Not part of `npm run bench`.
 * Set MTL_THREADS=1 for CPU times that do not include a second GEMM thread's waiting.
 */
import * as path from 'node:path';
import { syntheticRecords } from './e2e.js';
import { ROOT } from './cli.js';
import { flagValue } from './args.js';

/** This process's CPU time so far, in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (n: string): string | undefined => flagValue(argv, n);
  const dir = get('model');
  if (!dir) throw new Error('--model DIR: a model directory of bench/specs/mmoe.mtl (bench/serve-profile.ts --keep DIR trains one)');
  const root = path.resolve(get('root') ?? ROOT);
  const n = Number(get('n') ?? 40);
  const src = (f: string): string => path.join(root, 'src', f);
  // Another checkout's modules, loaded by path: their types are its own.
  const { loadModel } = (await import(src('serve/load.ts'))) as any;
  const { parsePredictRequest } = (await import(src('serve/http/predict-request.ts'))) as any;
  const { loadArtifact } = (await import(src('artifact/artifact.ts'))) as any;
  const { artifactPredictor } = (await import(src('artifact/artifact-predictor.ts'))) as any;
  const { createRowEncoder } = (await import(src('serve/encode.ts'))) as any;
  const { stateVocabs } = (await import(src('data/batches.ts'))) as any;
  const model = await loadModel(dir);
  const rows = syntheticRecords(1024, 100_000, 11).map(({ y1: _, y2: __, ...r }) => r);
  const bodies = [0, 1, 2, 3].map((k) => JSON.stringify({ rows: rows.slice(k * 256, (k + 1) * 256) }));
  const columnar = typeof model.scoreRows === 'function';
  const writer = columnar ? ((await import(src('serve/http/predict-response.ts'))) as any).predictResponseJson : undefined;
  const head = { model: 'default', modelHash: model.contract.modelHash, irHash: model.contract.irHash };
  const spent = { parse: 0, score: 0, answer: 0 };

  /** One micro-batch: four bodies parsed, scored together, answered separately (as server.ts and batcher.ts). */
  const once = (count: boolean): void => {
    let t = cpuMs();
    const lap = (phase: keyof typeof spent): void => {
      const now = cpuMs();
      if (count) spent[phase] += now - t;
      t = now;
    };
    const requests = bodies.map((b) => parsePredictRequest(JSON.parse(b), model.outputs, 10_000));
    const all = requests.flatMap((r: any) => r.rows);
    const segments = requests.map((r: any) => r.rows.length);
    lap('parse');
    let offset = 0;
    let texts: string[];
    if (columnar) {
      const scored = model.scoreRows(all, { segments });
      lap('score');
      texts = requests.map((r: any, k: number) => {
        const view = scored.slice(offset, r.rows.length, scored.errors.filter((e: any) => e.segment === k));
        offset += r.rows.length;
        return writer(head, view, r.rows, r.outputs, r.passthrough);
      });
    } else {
      // Before the columnar scores: score() built an object per row and the server stringified the answer.
      const result = model.score(all, { segments });
      lap('score');
      texts = requests.map((r: any, k: number) => {
        const predictions = result.predictions.slice(offset, offset + r.rows.length);
        offset += r.rows.length;
        return JSON.stringify({ ...head, predictions, errors: result.errors.filter((e: any) => e.segment === k) });
      });
    }
    for (const text of texts) Buffer.byteLength(text);
    lap('answer');
  };
  for (let k = 0; k < 5; k++) once(false);
  for (let k = 0; k < n; k++) once(true);

  const rss = process.memoryUsage().rss;

  // The forward pass alone: the same predictor (on the backend loadModel selected) on one encoded batch of the same rows.
  const art = await loadArtifact(dir);
  const predictor = artifactPredictor(art);
  let batch: unknown;
  const encode = createRowEncoder({ ir: art.ir, preprocess: art.preprocess, vocabs: await stateVocabs(art.preprocess, dir) });
  const encodeOpts = { maxBatch: 1024, segments: [256, 256, 256, 256] };
  for (let k = 0; k < 5; k++) encode(rows, encodeOpts, (b: unknown) => (batch = b));
  let t0 = cpuMs();
  for (let k = 0; k < n; k++) encode(rows, encodeOpts, (b: unknown) => (batch = b));
  const encoding = (cpuMs() - t0) / n;
  for (let k = 0; k < 3; k++) predictor.predict(batch);
  t0 = cpuMs();
  for (let k = 0; k < n; k++) predictor.predict(batch);
  const forward = (cpuMs() - t0) / n;

  const f = (x: number): string => (x / n).toFixed(2);
  process.stdout.write(
    `${root === ROOT ? 'this checkout' : root} (${predictor.kind}, MTL_THREADS=${process.env['MTL_THREADS'] ?? 'default'}): CPU ms per 1,024 rows: ` +
      `parse ${f(spent.parse)}, score ${f(spent.score)}, answer ${f(spent.answer)}, total ${f(spent.parse + spent.score + spent.answer)}; ` +
      `encoding alone ${encoding.toFixed(2)}, forward alone ${forward.toFixed(2)}; RSS ${Math.round(rss / 1e6)} MB with the model loaded\n`,
  );
  model.dispose();
  predictor.dispose();
  art.model.dispose();
}

await main();
