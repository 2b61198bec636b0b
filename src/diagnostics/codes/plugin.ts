/** MTL4xxx: plugin diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The plugin codes. */
export const PLUGIN_CODES: CodeTable = {
};
