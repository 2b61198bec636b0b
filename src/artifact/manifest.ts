/**
 * `mtl-artifact.json`: the marker and integrity manifest of every directory mtl writes (a model directory,
 * a PyTorch package, a converted PyTorch run).
 *
 *   { "format": "mtl-artifact", "version": 1, "kind": "model", "irHash": "…",
 *     "files": { "model.json": "<sha256>", "checkpoint/index.json": "<sha256>", … } }
 *
 * It serves two purposes: the output guard (output-guard.ts) knows from it that a directory is mtl's own
 * output of a given kind and which entries mtl wrote, and loaders check every file they read against its
 * SHA-256, so a flipped byte in weights.bin or a preprocess.json copied from another run is refused naming
 * the file. `irHash` ties the files to the spec they were trained from.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { writeFileSynced } from '../util/fs-atomic.js';

/** The manifest's file name inside a directory written by mtl. */
export const MANIFEST_FILE = 'mtl-artifact.json';
const FORMAT = 'mtl-artifact';

/** What a directory written by mtl holds. */
export type ArtifactKind = 'model' | 'pytorch-package' | 'pytorch-run' | 'web-export';

/** Human names of the kinds, for messages. */
export const KIND_NAMES: Record<ArtifactKind, string> = {
  model: 'model directory (mtl train / mtl convert --to tfjs)',
  'pytorch-package': 'PyTorch package (mtl compile)',
  'pytorch-run': 'PyTorch weights directory (mtl convert --to pytorch)',
  'web-export': 'browser page (mtl export --format web)',
};

/** The parsed manifest. */
export interface Manifest {
  format: typeof FORMAT;
  version: 1;
  kind: ArtifactKind;
  /** {@link irHash} of the IR the files belong to, when the directory has one. */
  irHash?: string;
  /** Relative path (with '/') → SHA-256 hex of the file's bytes; every file mtl wrote except the manifest. */
  files: Record<string, string>;
}

/** SHA-256 hex of some bytes. */
export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file under `dir`, as relative paths with '/' (sorted, so the manifest is stable). */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** Hash every file of the (complete, not yet published) directory `dir` and write its manifest. */
export async function writeManifest(dir: string, kind: ArtifactKind, extra: { irHash?: string } = {}): Promise<void> {
  const files: Record<string, string> = {};
  for (const rel of await listFiles(dir)) {
    if (rel === MANIFEST_FILE) continue;
    files[rel] = sha256(await fsp.readFile(path.join(dir, rel)));
  }
  const manifest: Manifest = { format: FORMAT, version: 1, kind, ...(extra.irHash ? { irHash: extra.irHash } : {}), files };
  await writeFileSynced(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Read the manifest of `dir`: undefined when there is none (a directory of an mtl before manifests, or not
 * mtl's); MTL5336 when it exists but is not a manifest.
 */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw mismatch(file, `it cannot be read (${code ?? (e as Error).message})`);
  }
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch (e) {
    throw mismatch(file, `it is not valid JSON (${(e as Error).message})`);
  }
  if (!m || m.format !== FORMAT || m.version !== 1 || typeof m.kind !== 'string' || typeof m.files !== 'object' || m.files === null) {
    throw mismatch(file, `it is not an mtl artifact manifest of version 1`);
  }
  return m as Manifest;
}

/** MTL5336 naming the file that fails verification. */
function mismatch(file: string, reason: string): MtlError {
  return new MtlError(diag('MTL5336', FILE_START, { file, reason }, { file }));
}

/**
 * Check the bytes of `name` (read from `dir`) against the manifest: MTL5336 naming the file when it is not
 * listed or its SHA-256 differs.
 */
export function verifyFile(dir: string, manifest: Manifest, name: string, bytes: Uint8Array): void {
  const want = manifest.files[name];
  const file = path.join(dir, name);
  if (want === undefined) throw mismatch(file, `it is not listed in ${MANIFEST_FILE}`);
  if (sha256(bytes) !== want) throw mismatch(file, `its SHA-256 differs from the one in ${MANIFEST_FILE} (the file was changed or replaced after mtl wrote it)`);
}

/**
 * Verify the files `names` of the directory `dir` against its manifest, for readers that do not go through
 * loadArtifact (mtl convert --to pytorch). Returns false when the directory has no manifest (unverified);
 * throws MTL5336 naming the first file that does not match.
 */
export async function verifyDirFiles(dir: string, names: string[]): Promise<boolean> {
  const manifest = await readManifest(dir);
  if (!manifest) return false;
  for (const name of names) verifyFile(dir, manifest, name, await fsp.readFile(path.join(dir, name)));
  return true;
}
