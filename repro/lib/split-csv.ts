/**
 * Split a generated CSV into consecutive parts by row order (the generators' rows are i.i.d., so the
 * first rows are as good a sample as any): what the synthetic reproductions train and test on.
 */
import { promises as fsp } from 'node:fs';

/**
 * Write `file`'s rows into one file per share (shares sum to 1; each part keeps the header), named
 * `<file without .csv>-<name>.csv`. Returns the paths by part name.
 */
export async function splitCsv<K extends string>(file: string, shares: Record<K, number>): Promise<Record<K, string>> {
  const lines = (await fsp.readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
  const [header, ...body] = lines;
  const out = {} as Record<K, string>;
  let start = 0;
  let cumulative = 0;
  for (const name of Object.keys(shares) as K[]) {
    cumulative += shares[name];
    const end = Math.min(body.length, Math.round(body.length * cumulative));
    out[name] = file.replace(/\.csv$/, `-${name}.csv`);
    await fsp.writeFile(out[name], `${header}\n${body.slice(start, end).join('\n')}\n`);
    start = end;
  }
  return out;
}
