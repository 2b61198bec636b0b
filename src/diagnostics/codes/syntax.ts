/** MTL1xxx: syntax diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The syntax codes. */
export const SYNTAX_CODES: CodeTable = {
};
