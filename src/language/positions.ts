/**
 * Offsets → LSP positions. Chevrotain reports inclusive end offsets; this file is the one place that
 * turns them into 0-based, end-exclusive ranges (`spanRange`), clamped into the text.
 */
import type { IToken } from 'chevrotain';
import type { Position, Range } from '../diagnostics/types.js';

/** Line starts of a text, for offset → position conversion by binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];
  /** Length of the text: every produced position lies within it. */
  readonly length: number;

  constructor(text: string) {
    this.length = text.length;
    // LSP line breaks: \n, \r\n and a lone \r.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  /** Line (0-based) of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Position of a (clamped) offset. */
  position(offset: number): Position {
    const o = Math.min(Math.max(0, Number.isFinite(offset) ? offset : this.length), this.length);
    const line = this.lineOf(o);
    return { line, character: o - this.starts[line]! };
  }

  /**
   * THE conversion: a chevrotain-style span (start offset, inclusive end offset) to a 0-based,
   * end-exclusive range inside the text. An empty span is written with `endInclusive = start - 1`.
   */
  spanRange(start: number, endInclusive: number): Range {
    const s = this.position(start);
    const endExclusive = Math.max(start, endInclusive + 1);
    return { start: s, end: this.position(endExclusive) };
  }

  /** The offset of a position (clamped to its line's start and the text's end): the inverse of {@link position}. */
  offsetAt(p: Position): number {
    const line = Math.min(Math.max(0, p.line), this.starts.length - 1);
    return Math.min(this.starts[line]! + Math.max(0, p.character), this.length);
  }

  /** A zero-width range at an offset. */
  pointRange(offset: number): Range {
    return this.spanRange(offset, offset - 1);
  }
}

/** True when a token has a real position (tokens inserted by error recovery have NaN offsets). */
export function isRealToken(t: IToken | undefined): t is IToken {
  return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

/**
 * Inclusive end offset of a token, chevrotain-style. The lexer tracks start offsets only (faster on
 * big files); a token's image is exactly its text, so the end follows from its length.
 */
export function endOf(t: IToken): number {
  return t.startOffset + t.image.length - 1;
}

/** Range of a token, or of the span from the first to the last of several (recovery tokens ignored). */
export function tokensRange(index: LineIndex, first: IToken | undefined, last: IToken | undefined = first): Range | undefined {
  const a = isRealToken(first) ? first : isRealToken(last) ? last : undefined;
  const b = isRealToken(last) ? last : a;
  if (!a || !b) return undefined;
  return index.spanRange(a.startOffset, endOf(b));
}
