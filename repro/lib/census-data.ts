/**
 * Census-income (KDD) for the reproductions: the UCI file has no header and ", " separators, so it is
 * converted once into CSV files with a header, split 60/20/20 by a seeded shuffle, in a cache directory
 * outside the repository (the data is never committed).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { mulberry32 } from '../../src/model/seed.js';

/** The 42 column names of census-income, in file order (../shared/data/README.md). */
export const CENSUS_COLUMNS = (
  'age class_worker det_ind_code det_occ_code education wage_per_hour hs_college marital_stat major_ind_code ' +
  'major_occ_code race hisp_origin sex union_member unemp_reason full_or_part_emp capital_gains capital_losses ' +
  'stock_dividends tax_filer_stat region_prev_res state_prev_res det_hh_fam_stat det_hh_summ instance_weight ' +
  'mig_chg_msa mig_chg_reg mig_move_reg mig_same mig_prev_sunbelt num_emp fam_under_18 country_father ' +
  'country_mother country_self citizenship own_or_self vet_question vet_benefits weeks_worked year income_50k'
).split(' ');

/** `education` values counted as "at least an Associates degree" (the MMoE paper's group-2 task). */
export const ASSOCIATES_PLUS = [
  'Associates degree-occup /vocational',
  'Associates degree-academic program',
  'Bachelors degree(BA AB BS)',
  'Masters degree(MA MS MEng MEd MSW MBA)',
  'Prof school degree (MD DDS DVM LLB JD)',
  'Doctorate degree(PhD EdD)',
];

/** Paths of one prepared split. */
export interface CensusSplit {
  train: string;
  valid: string;
  test: string;
  rows: { train: number; valid: number; test: number };
}

/** A CSV field, quoted when it holds a comma or a quote. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Parse the raw gzip text into rows of 42 trimmed fields; rows with another field count are dropped. */
export function parseCensus(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(', ').map((s) => s.trim());
    if (f.length === CENSUS_COLUMNS.length) rows.push(f);
  }
  return rows;
}

/** Seeded 60/20/20 split of `n` row indices (Fisher–Yates with `seed`). */
export function splitIndices(n: number, seed: number): { train: number[]; valid: number[]; test: number[] } {
  const idx = Array.from({ length: n }, (_, i) => i);
  const rnd = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const a = Math.round(n * 0.6);
  const b = Math.round(n * 0.8);
  return { train: idx.slice(0, a), valid: idx.slice(a, b), test: idx.slice(b) };
}

/**
 * Convert `gzPath` into train/valid/test CSVs under `cacheDir` (reused when already there for the same
 * source and seed).
 */
export async function prepareCensus(gzPath: string, cacheDir: string, seed: number): Promise<CensusSplit> {
  const raw = await fsp.readFile(gzPath);
  const tag = createHash('md5').update(raw).digest('hex').slice(0, 8);
  const dir = path.join(cacheDir, `census-${tag}-seed${seed}`);
  const out = { train: path.join(dir, 'train.csv'), valid: path.join(dir, 'valid.csv'), test: path.join(dir, 'test.csv') };
  const done = path.join(dir, 'rows.json');
  try {
    const rows = JSON.parse(await fsp.readFile(done, 'utf8')) as CensusSplit['rows'];
    return { ...out, rows };
  } catch {
    /* not prepared yet */
  }
  const rows = parseCensus(gunzipSync(raw).toString('utf8'));
  const parts = splitIndices(rows.length, seed);
  await fsp.mkdir(dir, { recursive: true });
  const header = CENSUS_COLUMNS.join(',');
  for (const part of ['train', 'valid', 'test'] as const) {
    const body = parts[part].map((i) => rows[i]!.map(csvField).join(',')).join('\n');
    await fsp.writeFile(out[part], `${header}\n${body}\n`);
  }
  const counts = { train: parts.train.length, valid: parts.valid.length, test: parts.test.length };
  await fsp.writeFile(done, JSON.stringify(counts));
  return { ...out, rows: counts };
}
