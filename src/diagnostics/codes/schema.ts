/** MTL2xxx: schema diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The schema codes. */
export const SCHEMA_CODES: CodeTable = {
};
