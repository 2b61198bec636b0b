/** Folding ranges: `{ ... }` blocks and runs of comment lines; computed from the text alone so it works on broken specs. */
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver/node.js';
import { codeOnly, splitLines } from './text.js';

/** The folding ranges of a text. */
export function foldingRanges(text: string): FoldingRange[] {
  const out: FoldingRange[] = [];
  const code = splitLines(codeOnly(text));
  const raw = splitLines(text);
  const stack: number[] = [];
  code.forEach((line, i) => {
    for (const c of line) {
      if (c === '{') stack.push(i);
      else if (c === '}') {
        const start = stack.pop();
        // Fold up to the line before the closing brace, so the brace stays visible.
        if (start !== undefined && i - 1 > start) out.push({ startLine: start, endLine: i - 1 });
      }
    }
  });
  let runStart = -1;
  raw.forEach((line, i) => {
    const isComment = /^\s*(#|\/\/)/.test(line);
    if (isComment && runStart < 0) runStart = i;
    if (!isComment || i === raw.length - 1) {
      const end = isComment ? i : i - 1;
      if (runStart >= 0 && end > runStart) out.push({ startLine: runStart, endLine: end, kind: FoldingRangeKind.Comment });
      if (!isComment) runStart = -1;
    }
  });
  return out.sort((a, b) => a.startLine - b.startLine);
}
