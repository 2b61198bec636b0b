/** MTL5xxx: runtime diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The runtime codes. */
export const RUNTIME_CODES: CodeTable = {
};
