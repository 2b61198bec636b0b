import { drive } from '../serve-load.js';
import { syntheticRecords } from '../e2e.js';
const [url, batch, conns, secs] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 3)];
const rows = syntheticRecords(16 * 256, 100000, 11).map(({ y1: _, y2: __, ...r }) => r);
const bodies = Array.from({ length: 16 }, (_, k) => JSON.stringify({ rows: rows.slice(k * batch, (k + 1) * batch) }));
console.log(await drive(url, bodies, batch, conns, secs));
