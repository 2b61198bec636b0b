/**
 * `mtl export RUN --format onnx|torchscript -o FILE`: a trained model directory as an ONNX model (or a
 * TorchScript module) through the PyTorch target. The model directory is loaded and verified as
 * `mtl predict` loads it (manifest, finite weights, the spec's outputs); its IR becomes the generated PyTorch
 * package (src/targets/pytorch) in a temporary directory, its weights a state dict (src/targets/convert.ts),
 * and the package's export.py runs PyTorch's exporter (torch.onnx.export, or torch.jit.trace) with one named
 * input per encoded feature input (src/data/feeds.ts, batch axis dynamic) and one named output per output.
 *
 * Preprocessing (hashing, vocabularies, normalisation) stays outside the model file: it is the contract,
 * written next to it as FILE.json (src/serve/export-contract.ts), and `loadFeedEncoder` of mtl/serve
 * encodes raw rows into exactly the model's inputs with it. Both files are written atomically; an existing
 * file is replaced only with `force`.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelIR } from '../ir/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { isMtlError } from '../diagnostics/error.js';
import type { GatePlugin } from '../plugins/api.js';
import { PluginRegistry } from '../plugins/registry.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { packageVersion } from '../util/package-root.js';
import { modelInputs } from '../data/feeds.js';
import { stateVocabs } from '../data/batches.js';
import { withVocabSizes, type PreprocessState } from '../data/state.js';
import { checkOutputFile, filesIn } from '../artifact/output-guard.js';
import { findTorchPython, generatePytorchPackage, torchPythonCandidates } from '../targets/pytorch/index.js';
import { gateWeightsPython } from '../targets/pytorch/emit-model.js';
import { convertTfjsToTorch } from '../targets/convert.js';
import { loadModel } from '../serve/load.js';
import { exportContract } from '../serve/export-contract.js';

/** The formats that go through PyTorch's exporters. */
export type TorchExportFormat = 'onnx' | 'torchscript';

/** The ONNX opset of the exported graphs: torch 1.13 exports up to 17; 13 is read by every ONNX Runtime of the last years. */
export const ONNX_OPSET = 13;

/** The export's time limit unless MTL_EXPORT_TIMEOUT (seconds) says otherwise. */
const DEFAULT_TIMEOUT_S = 600;

/** The contract file of an exported model file: FILE.json beside FILE. */
export function contractPath(file: string): string {
  return `${file}.json`;
}

/** Options of {@link exportViaTorch}. */
export interface TorchExportOptions {
  format: TorchExportFormat;
  /** Replace existing output files. */
  force: boolean;
  /** The gate plugins the model needs (the first-party ones and --plugin). */
  plugins: GatePlugin[];
  /** Receives warnings (MTL5337: a model directory without a manifest loads unverified). */
  onWarning?: (d: Diagnostic) => void;
}

/** What an export wrote, or why it did not. */
export interface TorchExportResult {
  /** The model file and its contract (empty on error). */
  files: string[];
  inputs: string[];
  outputs: string[];
  diagnostics: Diagnostic[];
}

/** MTL5771 for every gate whose plugin cannot be expressed in PyTorch (so neither in ONNX nor TorchScript). */
function unexportableGates(ir: ModelIR, plugins: GatePlugin[], format: TorchExportFormat): Diagnostic[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  const lookup = (type: string): GatePlugin | undefined => byName.get(type);
  const supported = plugins.filter((p) => p.pytorch).map((p) => p.name).join(', ');
  const out: Diagnostic[] = [];
  for (const n of ir.nodes) {
    if (n.kind !== 'gate') continue;
    const w = byName.has(n.type) ? gateWeightsPython(lookup, n) : { unsupported: 'no plugin for it is loaded (pass --plugin)' };
    if (typeof w !== 'string') out.push(diag('MTL5771', n.locs?.['type'] ?? n.loc ?? FILE_START, { gate: n.name, type: n.type, format, reason: w.unsupported, supported }));
  }
  return out;
}

/** The state with every vocabulary inline, so the contract alone encodes rows (large ones are read from the model directory). */
async function inlineVocabularies(state: PreprocessState, dir: string): Promise<PreprocessState> {
  const copy = structuredClone(state);
  const vocabs = await stateVocabs(copy, dir);
  for (const s of Object.values(copy.features)) {
    if (s.kind !== 'ids' || !s.vocab || s.vocab.tokens) continue;
    const v = vocabs.get(s.owner ?? '');
    if (!v) continue;
    const tokens = new Array<string>(s.vocab.size).fill('');
    for (const [t, row] of v.rows) tokens[row - 1] = t;
    s.vocab.tokens = tokens;
  }
  return copy;
}

/** Run `python script config` with a time limit; resolves with the exit status and standard error. */
function runPython(python: string, args: string[], timeoutS: number): Promise<{ status: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8').on('data', (t: string) => void (stderr += t));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (status) => (clearTimeout(timer), resolve({ status, stderr, timedOut })));
  });
}

/** The reason export.py gave (its MTL_EXPORT_ERROR line), else the last line of its standard error. */
function exporterReason(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('MTL_EXPORT_ERROR '));
  if (line) {
    try {
      return String((JSON.parse(line.slice('MTL_EXPORT_ERROR '.length)) as { reason: string }).reason).replace(/\.$/, '');
    } catch {
      /* fall through */
    }
  }
  const lines = stderr.trim().split('\n');
  return (lines[lines.length - 1] ?? 'it exited without a message').replace(/\.$/, '');
}

/**
 * Export the model directory `dir` to `out` (and its contract to `out`.json). Never throws on user input:
 * problems come back as diagnostics, and nothing is written then.
 */
export async function exportViaTorch(dir: string, out: string, opts: TorchExportOptions): Promise<TorchExportResult> {
  const failed = (diagnostics: Diagnostic[]): TorchExportResult => ({ files: [], inputs: [], outputs: [], diagnostics });
  const { format } = opts;
  const contractFile = contractPath(out);
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-export-'));
  try {
    const inputs = await filesIn(dir);
    for (const f of [out, contractFile]) await checkOutputFile(f, { inputs, force: opts.force });
    // Loading verifies the directory exactly as `mtl predict` does and gives the model's hash.
    const model = await loadModel(dir, { plugins: opts.plugins, ...(opts.onWarning ? { onWarning: opts.onWarning } : {}) });
    const { contract: serving, outputs } = model;
    model.dispose();
    const ir = JSON.parse(await fsp.readFile(path.join(dir, 'ir.json'), 'utf8')) as ModelIR;
    const preprocess = await inlineVocabularies(JSON.parse(await fsp.readFile(path.join(dir, 'preprocess.json'), 'utf8')) as PreprocessState, dir);
    // The PyTorch package needs the vocabulary files' sizes, which ir.json leaves to the fitted state.
    const sized = withVocabSizes(ir, preprocess);

    const gates = unexportableGates(ir, opts.plugins, format);
    if (gates.length) return failed(gates.map((d) => ({ ...d, file: path.join(dir, 'ir.json') })));
    const python = findTorchPython();
    if (!python) return failed([diag('MTL5770', FILE_START, { format, tried: torchPythonCandidates().join(', ') })]);

    const registry = new PluginRegistry();
    for (const p of opts.plugins) registry.register(p, 'export');
    const generated = await generatePytorchPackage(sized, { registry });
    if (!generated.value) return failed(generated.diagnostics);
    const pkg = path.join(tmp, 'package');
    await fsp.mkdir(pkg);
    for (const [name, text] of generated.value) await fsp.writeFile(path.join(pkg, name), text);
    const run = path.join(tmp, 'run');
    const converted = await convertTfjsToTorch(dir, run);
    // Its warnings (no manifest) were loadModel's too, and reported there.
    const convertErrors = converted.diagnostics.filter((d) => d.severity === 'error');
    if (convertErrors.length) return failed(convertErrors);

    const modelFile = path.join(tmp, format === 'onnx' ? 'model.onnx' : 'model.pt');
    const config = path.join(tmp, 'export.json');
    const inputSpecs = modelInputs(ir);
    await fsp.writeFile(config, JSON.stringify({ format, out: modelFile, run, opset: ONNX_OPSET, inputs: inputSpecs, outputs }));
    const timeoutS = Number(process.env['MTL_EXPORT_TIMEOUT']) > 0 ? Number(process.env['MTL_EXPORT_TIMEOUT']) : DEFAULT_TIMEOUT_S;
    const r = await runPython(python.python, [path.join(pkg, 'export.py'), config], timeoutS);
    if (r.timedOut) return failed([diag('MTL5773', FILE_START, { format, seconds: timeoutS })]);
    if (r.status !== 0) return failed([diag('MTL5772', FILE_START, { format, reason: exporterReason(r.stderr) })]);

    const contract = exportContract({
      format,
      file: path.basename(out),
      ...(format === 'onnx' ? { opset: ONNX_OPSET } : {}),
      mtlVersion: packageVersion(),
      ir,
      preprocess,
      outputs,
      irHash: serving.irHash,
      modelHash: serving.modelHash,
    });
    try {
      await writeFileAtomic(out, await fsp.readFile(modelFile));
      await writeFileAtomic(contractFile, JSON.stringify(contract, null, 2) + '\n');
    } catch (e) {
      return failed([diag('MTL5308', FILE_START, { file: out, reason: (e as Error).message.replace(/\.$/, '') }, { file: out })]);
    }
    return { files: [out, contractFile], inputs: inputSpecs.map((i) => i.name), outputs: [...outputs], diagnostics: [] };
  } catch (e) {
    if (isMtlError(e)) return failed(e.diagnostics);
    throw e;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
