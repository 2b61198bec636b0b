/** MTL5710–MTL5739: `mtl tune` (src/tune): the search-space file, trial settings, the tune directory. */
import type { CodeTable } from '../catalog.js';

/** The tune codes. */
export const TUNE_CODES = {
  MTL5710: {
    severity: 'error',
    title: 'search space not readable',
    message: "Cannot read the search space '{file}': {reason}.",
    hint: 'Give a YAML or JSON file with a `params` map, e.g. `params: { train.lr: { loguniform: [0.0001, 0.1] } }`.',
    doc: 'Fires when the file given with `--space` does not exist, cannot be read, or is not YAML/JSON.',
  },
  MTL5711: {
    severity: 'error',
    title: 'bad search space',
    message: 'Search space: {problem}.',
    hint: '{fix}',
    doc: 'Fires when the search-space file does not match its schema (schema/tune-space.schema.json): an unknown key, a range that is not two numbers, a distribution other than uniform, loguniform, int or choice. The position is the offending value.',
  },
  MTL5712: {
    severity: 'error',
    title: 'unknown setting path',
    message: "'{path}' names no setting of the spec: {reason}.",
    hint: '{fix}',
    doc: 'Fires when a search-space key is not a path into the spec\'s IR (`mtl ir SPEC` shows it): `train.lr`, `experts.NAME.units`, `towers.NAME.dropout`, `features.NAME.dim`. Close names are suggested.',
  },
  MTL5713: {
    severity: 'error',
    title: 'range does not fit the setting',
    message: "'{path}' is {kind} in the spec, but {given}.",
    hint: 'Use a numeric range (uniform, loguniform, int) for a number and `choice` for a name or a list.',
    doc: 'Fires when the distribution of a setting cannot produce values of its type: a numeric range for a name (`train.optimizer`), `int` for a fractional setting, or a choice whose values are of another type.',
  },
  MTL5714: {
    severity: 'error',
    title: 'empty or reversed range',
    message: "'{path}': {problem}.",
    hint: 'Write the range as [low, high] with low < high (and low > 0 on a log scale).',
    doc: 'Fires when a range has low ≥ high, a log scale with low ≤ 0, or a `choice` without values.',
  },
  MTL5715: {
    severity: 'error',
    title: 'bad --set',
    message: "--set '{arg}': {problem}.",
    hint: 'Write --set PATH=VALUE, e.g. --set train.lr=0.003 or --set experts.e.units=32.',
    doc: 'Fires when `mtl train --set` is not PATH=VALUE or its value is not a number, a name or a JSON list.',
  },
  MTL5716: {
    severity: 'error',
    title: 'not a tune directory',
    message: "'{dir}' is not a directory of this tune: {reason}.",
    hint: 'Continue a tune with the same spec, space, seed and sampler, or choose a new --out directory.',
    doc: 'Fires when `mtl tune --out DIR` finds a journal (tune.jsonl) written by a tune with other settings (spec, space, seed, sampler, pruner, trials), or a journal it cannot read. Resuming replays the journal, so the settings must be the same.',
  },
  MTL5717: {
    severity: 'error',
    title: 'bad objective',
    message: "Objective '{objective}': {problem}.",
    hint: "Write a sum of metric terms on the spec's outputs, e.g. 'auc(edu) + auc(marital)' or '-logloss(ctr)'; metrics: {metrics}.",
    doc: 'Fires when `--objective` (or the search space\'s `objective`) is not a sum of `[COEF *] METRIC(OUTPUT)` terms, names an unknown metric or output, or when the spec has no early stopping and no objective is given.',
  },
  MTL5718: {
    severity: 'warning',
    title: 'trial failed',
    message: 'Trial {trial} failed: {reason}',
    hint: 'Its parameters are in tune.jsonl; the tune goes on with the other trials.',
    doc: 'A trial whose spec is invalid for the sampled combination (its diagnostics are printed) or whose training failed. It counts as a trial, is never the best, and is not rerun on resume.',
  },
  MTL5719: {
    severity: 'error',
    title: 'no trial finished',
    message: 'No trial of the tune finished, so there is no best spec: {reason}.',
    hint: 'Look at the failed trials in tune.jsonl (their diagnostics) and at trials/NNNN.log.',
    doc: 'Fires at the end of a tune when every trial failed.',
  },
} as const satisfies CodeTable;
