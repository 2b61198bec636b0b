/**
 * The formats of `mtl export`: format name → what it writes and how. The command (src/cli/commands/export.ts)
 * reads only this table: its help lists the formats from it, an unknown --format is MTL5750 listing them,
 * and every format writes a directory under the same output guard (kind = its manifest kind).
 *
 * A format's module is imported only when it runs, so `mtl export --help` loads neither tfjs nor esbuild.
 */
import type { ArtifactKind } from '../artifact/manifest.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';

/** What an export wrote. */
export interface ExportResult {
  /** The written files, relative to the output directory. */
  files: string[];
}

/** One export format. */
export interface ExportFormat {
  /** One line for the help text. */
  summary: string;
  /** The manifest kind of the directory it writes (the output guard lets a new export replace an old one). */
  kind: ArtifactKind;
  /** Export the verified model directory `runDir` into `outDir` (replaced as a whole; the caller holds the guard). */
  run(runDir: string, outDir: string): Promise<ExportResult>;
}

/** Every format, in the order of the help text. */
export const EXPORT_FORMATS: Record<string, ExportFormat> = {
  web: {
    summary: 'a static page that scores pasted or uploaded CSV/JSON rows in a browser',
    kind: 'web-export',
    run: async (runDir, outDir) => (await import('./web.js')).exportWeb(runDir, outDir),
  },
};

/** The format named `name`; MTL5750 listing the formats when there is none. */
export function exportFormat(name: string): ExportFormat {
  const f = Object.prototype.hasOwnProperty.call(EXPORT_FORMATS, name) ? EXPORT_FORMATS[name] : undefined;
  if (!f) throw new MtlError(diag('MTL5750', FILE_START, { format: name, formats: Object.keys(EXPORT_FORMATS).join(', ') }));
  return f;
}
