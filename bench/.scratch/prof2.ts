import { loadArtifact } from '../../src/artifact/artifact.js';
import { artifactPredictor } from '../../src/artifact/artifact-predictor.js';
import { selectBackend } from '../../src/exec/backend.js';
import { stateVocabs } from '../../src/data/batches.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { createScorer } from '../../src/serve/score.js';
import { syntheticRecords } from '../e2e.js';
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
await selectBackend('auto');
const plugins = createDefaultRegistry().gatePlugins();
const dir = process.argv[2] ?? '/tmp/sb/mmoe/model';
const art = await loadArtifact(dir, { plugins });
const predictor = artifactPredictor(art, plugins);
let tp = 0;
const score = createScorer({ ir: art.ir, preprocess: art.preprocess, vocabs: await stateVocabs(art.preprocess, dir), outputs: art.model.outputNames.filter((n) => !n.startsWith('gate__')), predict: (b) => { const t = cpu(); const r = predictor.predict(b); tp += cpu() - t; return r; } });
const rows = syntheticRecords(256 * 16, 100000, 11).map(({ y1: _, y2: __, ...r }) => r);
for (const rep of [0, 1]) for (const batch of [1, 256]) {
  const bodies = Array.from({ length: 16 }, (_, k) => JSON.stringify({ rows: rows.slice(k * batch, (k + 1) * batch) }));
  const t = { parse: 0, score: 0, predict: 0, stringify: 0 };
  const N = batch === 1 ? 4000 : 300;
  tp = 0;
  for (let i = 0; i < N; i++) {
    const b = bodies[i % 16]!;
    const t0 = cpu();
    const body = JSON.parse(b);
    const t1 = cpu(); t.parse += t1 - t0;
    const r = score(body.rows, { segments: [body.rows.length] });
    const t2 = cpu(); t.score += t2 - t1;
    JSON.stringify({ model: 'default', predictions: r.predictions, errors: r.errors });
    t.stringify += cpu() - t2;
  }
  t.predict = tp;
  console.log(batch, predictor.kind, Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v / N).toFixed(3)])));
}
