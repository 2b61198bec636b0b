/**
 * Regenerates the files derived from the op registry (src/ir/ops) and the addon's entry-point table:
 * native/mtl_ops.h (kernel codes), native/mtl_entry_points.h (registrations and argument counts) and
 * src/targets/pytorch/templates/mtl_ops.py (the registry in Python).
 * Usage: npx tsx scripts/gen-ops.ts [--check]   (--check: exit 1 if a file is stale)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitCHeader } from '../src/ir/ops/c-header.js';
import { emitOps } from '../src/targets/pytorch/emit-ops.js';
import { emitEntryPointsHeader } from '../src/exec/native-entry-points-header.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputs: Array<[string, string]> = [
  ['native/mtl_ops.h', emitCHeader()],
  ['native/mtl_entry_points.h', emitEntryPointsHeader()],
  ['src/targets/pytorch/templates/mtl_ops.py', emitOps()],
];
let stale = false;
for (const [rel, text] of outputs) {
  const file = path.join(root, rel);
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (old === text) continue;
  if (process.argv.includes('--check')) {
    console.error(`${rel}: stale (run npx tsx scripts/gen-ops.ts)`);
    stale = true;
  } else {
    fs.writeFileSync(file, text);
    console.log(`${rel}: updated`);
  }
}
if (stale) process.exit(1);
