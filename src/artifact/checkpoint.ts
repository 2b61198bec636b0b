/**
 * Training checkpoints: `DIR/index.json` (JSON: the IR hash, the caller's info, a tensor index, the
 * checksum of tensors.bin and `indexSha256`, the checksum of the index itself) + `DIR/tensors.bin` (every
 * tensor's float32 data, back to back). `indexSha256` is the SHA-256 of the canonical JSON of the index
 * without that field, so an edited or truncated index (a field removed, a number changed) is refused as
 * corrupt instead of failing later. Version 1 indexes (before `indexSha256`) are still read.
 *
 * A checkpoint is written as a whole directory: built in `DIR/.tmp-checkpoint-*`, then swapped in
 * (see fs-atomic.ts). A crash at any point leaves either the previous checkpoint or the new one,
 * never a mix; leftovers of a crash are removed by the next write, and a swap interrupted between
 * its two renames is undone by the next read.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { StateTensor, TrainingState } from '../model/types.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { exists, publishDir, recoverDir, writeFileSynced } from '../util/fs-atomic.js';
import { canonicalJson } from '../util/canonical-json.js';

/** The checkpoint directory's name inside a model directory. */
export const CHECKPOINT_DIR = 'checkpoint';
const INDEX_FILE = 'index.json';
const TENSORS_FILE = 'tensors.bin';
const FORMAT = 'mtl-checkpoint';

/** A checkpoint: named training states (e.g. `current` and `best`) plus JSON info of the caller's choosing. */
export interface Checkpoint<Info> {
  /** {@link irHash} of the IR the states belong to. */
  irHash: string;
  info: Info;
  states: Record<string, TrainingState>;
}

/** One tensor's place in tensors.bin. */
interface IndexEntry {
  state: string;
  name: string;
  shape: number[];
  /** Offset and length in float32 elements. */
  offset: number;
  length: number;
}

/** The JSON index of a checkpoint. */
interface IndexFile<Info> {
  format: typeof FORMAT;
  version: 1 | 2;
  irHash: string;
  info: Info;
  meta: Record<string, Record<string, unknown>>;
  tensors: IndexEntry[];
  bytes: number;
  sha256: string;
  /** Version 2: SHA-256 of the canonical JSON of this index without this field. */
  indexSha256?: string;
}

/** The checksum of an index (without its own `indexSha256`). */
function indexChecksum(index: IndexFile<unknown>): string {
  const rest: Record<string, unknown> = { ...index };
  delete rest.indexSha256;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Test hooks: simulate a crash after the files are written but before the checkpoint is published. */
export interface CheckpointWriteHooks {
  beforePublish?: (tmpDir: string) => void | Promise<void>;
}

/** Serialise states into one float32 buffer and its index. */
function pack(states: Record<string, TrainingState>): { data: Float32Array; entries: IndexEntry[] } {
  const entries: IndexEntry[] = [];
  let total = 0;
  for (const [state, s] of Object.entries(states)) {
    for (const [name, t] of Object.entries(s.tensors)) {
      entries.push({ state, name, shape: [...t.shape], offset: total, length: t.data.length });
      total += t.data.length;
    }
  }
  const data = new Float32Array(total);
  for (const e of entries) data.set(states[e.state]!.tensors[e.name]!.data, e.offset);
  return { data, entries };
}

/**
 * Write a checkpoint to `dir` (e.g. `OUT/checkpoint`) atomically, replacing the previous one only when
 * the new one is complete. Creates the parent directory if needed.
 */
export async function writeCheckpoint<Info>(dir: string, cp: Checkpoint<Info>, hooks: CheckpointWriteHooks = {}): Promise<void> {
  const { data, entries } = pack(cp.states);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const meta: Record<string, Record<string, unknown>> = {};
  for (const [k, s] of Object.entries(cp.states)) meta[k] = s.meta;
  const index: IndexFile<Info> = {
    format: FORMAT,
    version: 2,
    irHash: cp.irHash,
    info: cp.info,
    meta,
    tensors: entries,
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  index.indexSha256 = indexChecksum(index as IndexFile<unknown>);
  await publishDir(dir, async (tmp) => {
    await writeFileSynced(path.join(tmp, TENSORS_FILE), bytes);
    await writeFileSynced(path.join(tmp, INDEX_FILE), JSON.stringify(index));
    await hooks.beforePublish?.(tmp);
  });
}

/** An MTL5302 error naming the file. */
function corrupt(file: string, reason: string): MtlError {
  return new MtlError(diag('MTL5302', FILE_START, { file, reason }, { file }));
}

/** True when a checkpoint directory exists at `dir` (after undoing an interrupted swap). */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  await recoverDir(dir).catch(() => false);
  return exists(path.join(dir, INDEX_FILE));
}

/**
 * Read the checkpoint at `dir`. Returns undefined when there is none; throws MtlError MTL5302 when it is
 * unreadable, truncated or fails its checksum.
 */
export async function readCheckpoint<Info>(dir: string): Promise<Checkpoint<Info> | undefined> {
  if (!(await hasCheckpoint(dir))) return undefined;
  const indexPath = path.join(dir, INDEX_FILE);
  const tensorsPath = path.join(dir, TENSORS_FILE);
  let index: IndexFile<Info>;
  try {
    index = JSON.parse(await fsp.readFile(indexPath, 'utf8')) as IndexFile<Info>;
  } catch (e) {
    throw corrupt(indexPath, `it is not valid JSON (${(e as Error).message})`);
  }
  if (!index || typeof index !== 'object' || index.format !== FORMAT || (index.version !== 1 && index.version !== 2)) {
    throw corrupt(indexPath, 'it is not an mtl checkpoint index of version 1 or 2');
  }
  if (index.version === 2 && index.indexSha256 !== indexChecksum(index as IndexFile<unknown>)) {
    throw corrupt(indexPath, 'its own checksum (indexSha256) does not match its content');
  }
  if (!Array.isArray(index.tensors) || typeof index.info !== 'object' || index.info === null || typeof index.bytes !== 'number') {
    throw corrupt(indexPath, 'it lacks the tensor list, the info or the byte count');
  }
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(tensorsPath);
  } catch (e) {
    throw corrupt(tensorsPath, `it cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (bytes.byteLength !== index.bytes) throw corrupt(tensorsPath, `it has ${bytes.byteLength} bytes instead of ${index.bytes}`);
  if (createHash('sha256').update(bytes).digest('hex') !== index.sha256) throw corrupt(tensorsPath, 'its checksum does not match index.json');
  // Copy into an aligned buffer: a Node Buffer may start at any byte offset of a shared pool.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const states: Record<string, TrainingState> = {};
  for (const [name, meta] of Object.entries(index.meta ?? {})) states[name] = { tensors: {}, meta };
  for (const e of index.tensors) {
    if (e.offset < 0 || e.offset + e.length > all.length) throw corrupt(indexPath, `tensor '${e.name}' lies outside ${TENSORS_FILE}`);
    const state = (states[e.state] ??= { tensors: {}, meta: {} });
    const t: StateTensor = { shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
    state.tensors[e.name] = t;
  }
  return { irHash: index.irHash, info: index.info, states };
}

/** A deep copy of a training state (so a kept "best" state cannot be changed by later steps). */
export function cloneState(s: TrainingState): TrainingState {
  const tensors: Record<string, StateTensor> = {};
  for (const [k, t] of Object.entries(s.tensors)) tensors[k] = { shape: [...t.shape], data: new Float32Array(t.data) };
  return { tensors, meta: JSON.parse(JSON.stringify(s.meta)) as Record<string, unknown> };
}
