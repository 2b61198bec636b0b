/**
 * The journal of a tune, TUNE_DIR/tune.jsonl: one JSON object per line, appended with a single write and
 * fsync per event, so that a crash leaves at most a torn last line (dropped on replay). Replaying it
 * restores the tune: trials finished, pruned or failed stay as they are; a trial cut off mid-training is
 * continued (`mtl train --resume`).
 */
import { promises as fsp } from 'node:fs';
import type { ParamValue } from './space.js';
import type { MetricResults } from '../artifact/metric-plan.js';

/** The journal's name in a tune directory. */
export const JOURNAL = 'tune.jsonl';

/** The settings a tune is identified by: resuming requires the same. */
export interface TuneSettings {
  spec: string;
  /** sha256 of the spec's text. */
  specHash: string;
  /** The searched parameters, as loaded. */
  space: unknown;
  objective: string;
  direction: 'maximize' | 'minimize';
  sampler: string;
  pruner: string;
  seed: number;
  minEpochs: number;
  maxEpochs: number;
  parallel: number;
  /** The options passed through to every `mtl train` (data, backend, …). */
  train: string[];
}

/** One journal event. */
export type TuneEvent =
  | { event: 'tune'; version: 1; settings: TuneSettings; at: string }
  | { event: 'started'; trial: number; params: Record<string, ParamValue>; seed: number; at: string }
  | { event: 'rung'; trial: number; rung: number; epochs: number; value: number; metrics: MetricResults; stoppedEarly: boolean; seconds: number; at: string }
  | { event: 'finished'; trial: number; value: number; epochs: number; at: string }
  | { event: 'pruned'; trial: number; value: number; epochs: number; at: string }
  | { event: 'failed'; trial: number; reason: string; at: string };

/** Append one event (one write of one line, then fsync). */
export async function appendEvent(file: string, event: TuneEvent): Promise<void> {
  const fh = await fsp.open(file, 'a');
  try {
    await fh.write(JSON.stringify(event) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The events of a journal; a torn last line (a crash mid-write) is ignored. Throws on other damage, naming the line. */
export async function readJournal(file: string): Promise<TuneEvent[]> {
  const text = await fsp.readFile(file, 'utf8');
  const lines = text.split('\n');
  const events: TuneEvent[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      events.push(JSON.parse(line) as TuneEvent);
    } catch {
      if (i === lines.length - 1) return; // torn last line: its event did not happen
      throw new Error(`line ${i + 1} is not JSON`);
    }
  });
  return events;
}
