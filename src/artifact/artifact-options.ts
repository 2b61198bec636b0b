/**
 * Options shared by the commands that stream data through a saved model directory (eval, predict, report).
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { GatePlugin } from '../plugins/api.js';
import type { RuntimeDeps } from './runtime-deps.js';

/** How a saved model reads its data. */
export interface ArtifactDataOptions {
  /** Directory that relative paths of the spec refer to (vocabulary files). */
  baseDir: string;
  /** Rows per batch (default 1024). */
  batchSize?: number;
  skipBadRows?: boolean;
  onWarning?: (d: Diagnostic) => void;
  /** Plugins whose gates use custom layers (registered before the model loads). */
  plugins?: Iterable<GatePlugin>;
  /** Replace the data / metric functions (tests). */
  deps?: Partial<RuntimeDeps>;
}
