/**
 * Fitting the preprocessor: one streaming pass over the training part of the data (the rows the split
 * leaves for training, or the whole file when a separate validation file exists) that computes numeric
 * statistics, reads vocabulary files, fixes table sizes and counts labels. Bad rows stop the pass, or are
 * skipped and counted with `skipBadRows`; statistics only ever include complete, valid rows.
 */
import type { ModelIR, NumericFeature } from '../ir/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { makePlan } from './plan.js';
import { openSource } from './source.js';
import { RowProblem } from './problems.js';
import { RowErrors } from './pass.js';
import { labelDecoder, transformedValue, weightDecoder } from './encode.js';
import { inPart } from './split.js';
import { readVocabFile, type Vocabulary } from './vocab.js';
import type { LabelReservoir } from './label-sample.js';
import { PREPROCESS_STATE_VERSION, type FeatureState, type IdsFeatureState, type NumericFeatureState, type PreprocessState } from './state.js';
import type { DataOptions, DataRef } from './ref.js';

/** Options of {@link fitPreprocessor}. */
export interface FitOptions extends DataOptions {
  validSplit: number;
  seed: number;
  /** True when validation data is a separate file: then every row of `data` is training data. */
  hasValidFile: boolean;
  /** Check and count labels (default true). */
  needLabels?: boolean;
  /** Receives a uniform sample of the valid rows' labels (for the output biases' base rates). */
  labelSample?: LabelReservoir;
}

/** The id space states of the spec's categorical, sequence and bucketised features (reads vocabulary files). */
export async function idStates(ir: ModelIR, baseDir: string, plan = makePlan(ir, false)): Promise<{ states: Record<string, IdsFeatureState>; vocabs: Map<string, Vocabulary> }> {
  const states: Record<string, IdsFeatureState> = {};
  const vocabs = new Map<string, Vocabulary>();
  for (const fp of plan.features) {
    const f = fp.feature;
    if (f.kind === 'numeric') {
      if (f.buckets && f.buckets.length) states[f.name] = { kind: 'ids', space: 'buckets', tableSize: f.buckets.length + 1, owner: f.name };
      continue;
    }
    const ids = fp.ids ?? f.ids;
    if (ids.kind === 'hash') states[f.name] = { kind: 'ids', space: 'hash', tableSize: ids.size, owner: fp.owner };
    else if (ids.kind === 'vocab') states[f.name] = { kind: 'ids', space: 'vocab', tableSize: ids.size + 1, owner: fp.owner };
    else {
      let v = vocabs.get(fp.owner);
      if (!v) {
        v = await readVocabFile(baseDir, ids.path, fp.owner);
        vocabs.set(fp.owner, v);
      }
      const s: IdsFeatureState = { kind: 'ids', space: 'file', tableSize: v.state.size + 1, owner: fp.owner };
      // The tokens are stored once, on the owner of the table.
      if (fp.owner === f.name) s.vocab = v.state;
      states[f.name] = s;
    }
  }
  return { states, vocabs };
}

/** Running mean/variance/min/max (Welford), numerically stable over millions of rows. */
class Running {
  count = 0;
  missing = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  add(x: number): void {
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }
  state(f: NumericFeature): NumericFeatureState {
    if (this.count === 0) return { kind: 'numeric', normalize: f.normalize, count: 0, missing: this.missing, mean: 0, std: 1, min: 0, max: 1 };
    const std = Math.sqrt(this.m2 / this.count);
    return { kind: 'numeric', normalize: f.normalize, count: this.count, missing: this.missing, mean: this.mean, std: std > 0 && Number.isFinite(std) ? std : 1, min: this.min, max: this.max };
  }
}

/** One streaming pass over the training part: normalisation statistics, vocabularies, table sizes, label counts (and a label sample). */
export async function fitPreprocessor(ir: ModelIR, data: DataRef, opts: FitOptions): Promise<PreprocessState> {
  const plan = makePlan(ir, opts.needLabels ?? true);
  const { states: ids } = await idStates(ir, opts.baseDir, plan);
  const source = await openSource(data, plan.wanted);
  const cellOf = (column: string): number => source.colIndex[plan.columnIndex.get(column)!]!;

  const numerics = plan.features.filter((fp) => fp.feature.kind === 'numeric').map((fp) => ({ f: fp.feature as NumericFeature, k: cellOf(fp.column), run: new Running() }));
  const labels = plan.labels.map((lp) => ({ name: lp.label.name, decode: labelDecoder(lp, cellOf(lp.column)), k: cellOf(lp.column), count: 0, sum: 0 }));
  // Sample weights are checked here too, so a bad weight stops the run before training and --skip-bad-rows
  // leaves the same rows out of the statistics as out of the batches.
  const weights = plan.weights.map((column) => ({ decode: weightDecoder(column, cellOf(column)), k: cellOf(column) }));
  const scratch = new Float64Array(numerics.length);
  const labelScratch = new Float64Array(labels.length);
  const part = opts.hasValidFile ? 'all' : 'train';
  const errors = new RowErrors(source, opts.skipBadRows === true, part, opts.validSplit);
  let ordinal = 0;
  let rowsSeen = 0;
  const sample = opts.labelSample;
  sample?.begin(labels.map((l) => l.name));

  for await (const chunk of source.chunks) {
    const { rows, lines } = chunk;
    for (let r = 0; r < rows.length; r++) {
      const rec = rows[r]!;
      if (!inPart(part, ordinal++, opts.seed, opts.validSplit)) continue;
      if (rec instanceof RowProblem) {
        errors.report(rec, null, lines[r]!);
        continue;
      }
      try {
        // Decode the whole row first, so a bad value later in the row leaves no partial statistics.
        for (let n = 0; n < numerics.length; n++) {
          const { f, k } = numerics[n]!;
          scratch[n] = transformedValue(f, rec[k]!, k); // NaN: a missing value the feature fills
        }
        for (let l = 0; l < labels.length; l++) labelScratch[l] = labels[l]!.decode(rec[labels[l]!.k]!);
        for (const w of weights) w.decode(rec[w.k]!);
      } catch (e) {
        errors.report(e, rec, lines[r]!);
        continue;
      }
      for (let n = 0; n < numerics.length; n++) {
        const x = scratch[n]!;
        if (x !== x) numerics[n]!.run.missing++;
        else numerics[n]!.run.add(x);
      }
      for (let l = 0; l < labels.length; l++) {
        labels[l]!.count++;
        labels[l]!.sum += labelScratch[l]!;
      }
      sample?.offer(labelScratch);
      rowsSeen++;
    }
  }
  errors.finish(opts);
  if (rowsSeen === 0) {
    const reason = errors.tally.count ? ` (all ${errors.tally.count} were bad rows)` : opts.hasValidFile ? '' : ` with valid_split ${opts.validSplit}`;
    throw new MtlError(diag('MTL5024', FILE_START, { file: source.name.display, reason }, { file: source.name.file }));
  }

  const features: Record<string, FeatureState> = {};
  for (const fp of plan.features) {
    const f = fp.feature;
    if (f.kind !== 'numeric') {
      features[f.name] = ids[f.name]!;
      continue;
    }
    const stats = numerics.find((x) => x.f === f)!.run.state(f);
    const bucket = ids[f.name];
    features[f.name] = bucket ? { ...bucket, stats } : stats;
  }
  const labelStates: PreprocessState['labels'] = {};
  for (const l of labels) labelStates[l.name] = { count: l.count, sum: l.sum };
  return {
    version: PREPROCESS_STATE_VERSION,
    features,
    rowsSeen,
    rowsSkipped: errors.tally.count,
    labels: labelStates,
    split: { validSplit: opts.validSplit, seed: opts.seed, hasValidFile: opts.hasValidFile },
  };
}
