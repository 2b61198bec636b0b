/**
 * The formats of `mtl export RUN --format F -o OUT`: format name → what it writes and the function that
 * writes it. One entry per format; the command (src/cli/commands/export.ts) reads only this table.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { GatePlugin } from '../plugins/api.js';
import { exportViaTorch } from './onnx.js';

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
  write(req: ExportRequest): Promise<ExportOutcome>;
}

/** An export through PyTorch's exporters (ONNX or TorchScript). */
function viaTorch(format: 'onnx' | 'torchscript', summary: string): ExportFormat {
  return {
    summary,
    async write(req) {
      const r = await exportViaTorch(req.dir, req.out, { format, force: req.force, plugins: req.plugins, onWarning: req.onWarning });
      return { files: r.files, summary: `${r.inputs.length} inputs (${r.inputs.join(', ')}) → ${r.outputs.length} outputs (${r.outputs.join(', ')})`, diagnostics: r.diagnostics };
    },
  };
}

/** Every format, by name. */
export const EXPORT_FORMATS: Record<string, ExportFormat> = {
  onnx: viaTorch('onnx', 'an ONNX model (opset 13) of the encoded inputs, and FILE.json: its contract (needs PyTorch)'),
  torchscript: viaTorch('torchscript', 'a TorchScript module (torch.jit.load), and FILE.json: its contract (needs PyTorch)'),
};
