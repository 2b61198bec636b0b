// Compiled by test/diagnostics/typed-diag.test.ts: every `@ts-expect-error` below must be an error, and the
// other calls must compile (tsc reports an unused `@ts-expect-error` as an error of its own).
import { diag } from '../../../src/diagnostics/catalog.js';
import { FILE_START } from '../../../src/diagnostics/types.js';

const dynamic: string = 'MTL3010';
diag('MTL1002', FILE_START);
diag('MTL3010', FILE_START, { name: 'ctr', type: 'bse' }, { hint: 'x' });
diag('MTL5201', FILE_START, { backend: 'cpu', reason: 'no wasm', extra: 1 });
diag(dynamic, FILE_START, { anything: 'goes' });
// A hint given in the extras replaces the catalog's, so the hint's placeholders are not needed then.
diag('MTL3023', FILE_START, { name: 'user' }, { hint: 'add `dim D`' });
const s: string = 'x';

// @ts-expect-error: a code that is not in the catalog
diag('MTL9999', FILE_START, {});
// @ts-expect-error: MTL3010's message needs {type}
diag('MTL3010', FILE_START, { name: 'ctr' });
// @ts-expect-error: MTL5201 has placeholders, so its arguments are required
diag('MTL5201', FILE_START);
// @ts-expect-error: MTL3023's catalog hint needs {hint} unless the extras give one
diag('MTL3023', FILE_START, { name: 'user' });
// @ts-expect-error: arguments of a non-literal type are checked too
diag('MTL5204', FILE_START, { task: s, loss: s });
