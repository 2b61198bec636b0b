/** Terminal rendering of diagnostics (golden strings). */
import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../src/diagnostics/codeframe.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';

const TEXT = 'model m\ninput all = concat(a, b)\ntower ctr = mlp(8) on al -> sigmoid\n';
const D: Diagnostic = {
  code: 'MTL3001',
  severity: 'error',
  message: "Tower 'ctr' refers to 'al', which is not declared.",
  file: 'm.mtl',
  range: { start: { line: 2, character: 22 }, end: { line: 2, character: 24 } },
  hint: "did you mean 'all'?",
  related: [{ range: { start: { line: 1, character: 6 }, end: { line: 1, character: 9 } }, message: "'all' is declared here" }],
};
const at = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

describe('renderDiagnostic', () => {
  it('prints the header, the line before, the line, the underline, the hint and related notes', () => {
    expect(renderDiagnostic(D, TEXT)).toBe(
      [
        "m.mtl:3:23: error MTL3001: Tower 'ctr' refers to 'al', which is not declared.",
        '  2 | input all = concat(a, b)',
        '  3 | tower ctr = mlp(8) on al -> sigmoid',
        '    |                       ^^',
        "  hint: did you mean 'all'?",
        "  m.mtl:2:7: note: 'all' is declared here",
      ].join('\n'),
    );
  });

  it('underlines one caret for an empty range on the first line, without a line before', () => {
    const d: Diagnostic = { code: 'MTL3027', severity: 'warning', message: 'W.', range: at(0, 0, 0, 0) };
    expect(renderDiagnostic(d, TEXT)).toBe(['<input>:1:1: warning MTL3027: W.', '  1 | model m', '    | ^'].join('\n'));
  });

  it('clips a multi-line range to its first line', () => {
    const d: Diagnostic = { ...D, range: at(1, 6, 2, 3), hint: undefined, related: undefined } as Diagnostic;
    delete d.hint;
    delete d.related;
    expect(renderDiagnostic(d, TEXT).split('\n').slice(1)).toEqual(['  1 | model m', '  2 | input all = concat(a, b)', '    |       ^^^^^^^^^^^^^^^^^^']);
  });

  it('elides a long line around the range', () => {
    const long = 'x'.repeat(150) + ' target ' + 'y'.repeat(150);
    const d: Diagnostic = { code: 'MTL3001', severity: 'error', message: 'M.', range: at(1, 151, 1, 157) };
    const lines = renderDiagnostic(d, 'first\n' + long).split('\n');
    expect(lines[2]).toBe('  2 | …' + 'x'.repeat(46) + ' target ' + 'y'.repeat(46) + '…');
    expect(lines[3]).toBe('    | ' + ' '.repeat(48) + '^^^^^^');
  });

  it('aligns the gutter when the line number gains a digit', () => {
    const text = Array.from({ length: 10 }, (_, i) => `line${i + 1}`).join('\n');
    const d: Diagnostic = { code: 'MTL3001', severity: 'info', message: 'I.', range: at(9, 0, 9, 4) };
    expect(renderDiagnostic(d, text).split('\n').slice(1)).toEqual(['   9 | line9', '  10 | line10', '     | ^^^^']);
  });

  it('colours for a terminal', () => {
    const out = renderDiagnostic(D, TEXT, { color: true });
    expect(out).toContain('\x1b[31merror\x1b[0m');
    expect(out.replace(/\x1b\[\d+m/g, '')).toBe(renderDiagnostic(D, TEXT));
  });

  it('prints only the header when the text is unavailable', () => {
    const { related: _r, ...d } = D;
    expect(renderDiagnostic(d, '')).toBe("m.mtl:3:23: error MTL3001: Tower 'ctr' refers to 'al', which is not declared.\n  hint: did you mean 'all'?");
  });
});
