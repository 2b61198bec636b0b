/**
 * Every editor feature on broken text: truncations and deletions of the reference specs, queried at
 * many positions, never throw (the server would survive anyway, but the user would get nothing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { makeAnalysis } from '../../src/lsp/analysis.js';
import { hover } from '../../src/lsp/hover.js';
import { complete } from '../../src/lsp/completion.js';
import { definition } from '../../src/lsp/definition.js';
import { references } from '../../src/lsp/references.js';
import { prepareRename } from '../../src/lsp/rename.js';
import { documentSymbols } from '../../src/lsp/symbols.js';
import { foldingRanges } from '../../src/lsp/folding.js';
import { splitLines, textAt } from '../../src/lsp/text.js';
import { ROOT } from './harness.js';

const SPECS = fs.readdirSync(path.join(ROOT, 'specs')).filter((f) => f.endsWith('.mtl')).map((f) => fs.readFileSync(path.join(ROOT, 'specs', f), 'utf8'));
const registry = createDefaultRegistry();

/**
 * Run every feature at `samples` positions of `text`; returns how many answers were non-empty and
 * the index entries whose range does not hold their name (rename would corrupt those: must be none).
 */
function exercise(text: string, samples: number): { answers: number; misplaced: string[] } {
  const r = checkText(text, { file: 'x.mtl', registry });
  const a = makeAnalysis('file:///x.mtl', 1, text, r.ir, r.diagnostics, registry);
  const lines = splitLines(text);
  const misplaced = [...a.index.refs.map((x) => ({ name: x.name, range: x.range })), ...a.index.defs.filter((d) => d.nameRange && d.kind !== 'model').map((d) => ({ name: d.name, range: d.nameRange! }))]
    .filter((x) => textAt(lines, x.range) !== x.name)
    .map((x) => `${x.name}@${x.range.start.line}:${x.range.start.character}`);
  let answers = documentSymbols(a.ir).length + foldingRanges(text).length;
  for (let i = 0; i < samples; i++) {
    const line = (i * 7) % lines.length;
    const pos = { line, character: (i * 5) % ((lines[line]?.length ?? 0) + 1) };
    if (hover(a, pos)) answers++;
    answers += complete(text, pos, a).length + definition(a, pos).length + references(a, pos, true).length;
    if (prepareRename(a, pos)) answers++;
  }
  return { answers, misplaced };
}

describe('editor features on broken specs', () => {
  it('answer on every reference spec', () => {
    expect(SPECS.length).toBeGreaterThan(0);
    for (const spec of SPECS) {
      const r = exercise(spec, 60);
      expect(r.answers).toBeGreaterThan(0);
      expect(r.misplaced).toEqual([]);
    }
  });

  it('never throw on truncated or cut specs, and every indexed name range holds its name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SPECS.length - 1 }), fc.nat(), fc.nat(), (which, cutA, cutB) => {
        const spec = SPECS[which]!;
        const from = cutA % spec.length;
        const to = Math.min(spec.length, from + (cutB % 40));
        const broken = spec.slice(0, from) + spec.slice(to);
        expect(exercise(broken, 25).misplaced).toEqual([]);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
