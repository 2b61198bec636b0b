/** MTL3xxx: semantic diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The semantic codes. */
export const SEMANTIC_CODES: CodeTable = {
};
