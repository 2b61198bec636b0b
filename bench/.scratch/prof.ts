import { loadModel } from '../../src/serve/load.js';
import { syntheticRecords } from '../e2e.js';
const m = await loadModel('/tmp/sb/mmoe/model', { backend: 'auto' });
console.log('predictor', m.predictor);
const rows = syntheticRecords(256 * 16, 100000, 11).map(({ y1: _, y2: __, ...r }) => r);
for (const batch of [1, 256]) {
  const bodies = Array.from({ length: 16 }, (_, k) => JSON.stringify({ rows: rows.slice(k * batch, (k + 1) * batch) }));
  const t = { parse: 0, score: 0, stringify: 0 };
  const N = batch === 1 ? 4000 : 200;
  for (let i = 0; i < N; i++) {
    const b = bodies[i % 16]!;
    let t0 = performance.now();
    const body = JSON.parse(b);
    let t1 = performance.now(); t.parse += t1 - t0;
    const r = m.score(body.rows, { segments: [body.rows.length] });
    let t2 = performance.now(); t.score += t2 - t1;
    JSON.stringify({ model: 'default', predictions: r.predictions, errors: r.errors });
    t.stringify += performance.now() - t2;
  }
  console.log(batch, Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v / N).toFixed(3) + ' ms'])));
}
