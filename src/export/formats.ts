/**
 * The formats of `mtl export RUN --format F -o OUT`: format name → what it writes and the function that
 * writes it. The command (src/cli/commands/export.ts) reads only this table: its help lists the formats from
 * it, and an unknown --format is MTL5750 listing them. A directory format (web) is written under the same
 * output guard as `mtl compile -o` (its manifest kind lets a new export replace an old one); a file format
 * (onnx, torchscript) under the file-output guard of `mtl predict --out`.
 *
 * A format's module is imported only when it runs, so `mtl export --help` loads neither tfjs, esbuild nor PyTorch.
 */
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import type { GatePlugin } from '../plugins/api.js';

/** What every format's writer gets. */
export interface ExportRequest {
  /** The trained model directory. */
  dir: string;
  /** The output (a file or a directory, as the format says). */
  out: string;
  force: boolean;
  /** The gate plugins the model needs (the first-party ones and --plugin). */
  plugins: GatePlugin[];
  onWarning: (d: Diagnostic) => void;
  /** The working directory and command line (the output guard records and checks them). */
  cwd: string;
  command: string;
}

/** What a format's writer reports: the paths written (empty on error), a one-line summary, diagnostics. */
export interface ExportOutcome {
  files: string[];
  summary: string;
  diagnostics: Diagnostic[];
}

/** One export format. */
export interface ExportFormat {
  /** One line for the help text. */
  summary: string;
  /** Whether -o names a directory or a file. */
  output: 'directory' | 'file';
  write(req: ExportRequest): Promise<ExportOutcome>;
}

/** An export through PyTorch's exporters (ONNX or TorchScript). */
function viaTorch(format: 'onnx' | 'torchscript', summary: string): ExportFormat {
  return {
    summary,
    output: 'file',
    async write(req) {
      const { exportViaTorch } = await import('./onnx.js');
      const r = await exportViaTorch(req.dir, req.out, { format, force: req.force, plugins: req.plugins, onWarning: req.onWarning });
      return { files: r.files, summary: `${r.inputs.length} inputs (${r.inputs.join(', ')}) → ${r.outputs.length} outputs (${r.outputs.join(', ')})`, diagnostics: r.diagnostics };
    },
  };
}

/** Every format, in the order of the help text. */
export const EXPORT_FORMATS: Record<string, ExportFormat> = {
  web: {
    summary: 'a static page that scores pasted or uploaded CSV/JSON rows in a browser',
    output: 'directory',
    async write(req) {
      const { withOutputDir } = await import('../artifact/output-guard.js');
      const { exportWeb } = await import('./web.js');
      const guard = { kind: 'web-export' as const, inputs: [req.dir], force: req.force, cwd: req.cwd, command: req.command };
      const r = await withOutputDir(req.out, guard, () => exportWeb(req.dir, req.out));
      return { files: r.files.map((f) => path.join(req.out, f)), summary: `a static page of ${r.files.length} files`, diagnostics: [] };
    },
  },
  onnx: viaTorch('onnx', 'an ONNX model (opset 13) of the encoded inputs, and FILE.json: its contract (needs PyTorch)'),
  torchscript: viaTorch('torchscript', 'a TorchScript module (torch.jit.load), and FILE.json: its contract (needs PyTorch)'),
};

/** The format named `name`; MTL5750 listing the formats when there is none. */
export function exportFormat(name: string): ExportFormat {
  const f = Object.prototype.hasOwnProperty.call(EXPORT_FORMATS, name) ? EXPORT_FORMATS[name] : undefined;
  if (!f) throw new MtlError(diag('MTL5750', FILE_START, { format: name, formats: Object.keys(EXPORT_FORMATS).join(', ') }));
  return f;
}
