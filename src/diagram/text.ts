/**
 * Text measurement without a browser or a font file. Box sizes must be known before layout, so widths are
 * estimated from per-character advances of DejaVu Sans, the widest of the common sans-serif faces (Helvetica,
 * Arial and Liberation Sans are all narrower): an estimate that fits DejaVu fits the others, so labels stay
 * inside their boxes whichever sans-serif font the viewer substitutes.
 */

/** Advance widths in em of DejaVu Sans Book for the characters labels use; others fall back by class. */
const ADVANCE: Record<string, number> = {
  ' ': 0.318, '!': 0.401, '"': 0.46, '#': 0.838, '%': 0.95, '&': 0.78, "'": 0.275, '(': 0.39, ')': 0.39,
  '*': 0.5, '+': 0.838, ',': 0.318, '-': 0.361, '.': 0.318, '/': 0.337, ':': 0.337, ';': 0.337, '<': 0.838,
  '=': 0.838, '>': 0.838, '?': 0.531, '@': 1.0, '[': 0.39, ']': 0.39, '_': 0.5, '{': 0.636, '}': 0.636,
  '|': 0.337, '·': 0.318, '×': 0.838, '→': 0.838, '…': 1.0, '−': 0.838,
  a: 0.613, b: 0.635, c: 0.55, d: 0.635, e: 0.615, f: 0.352, g: 0.635, h: 0.634, i: 0.278, j: 0.278,
  k: 0.579, l: 0.278, m: 0.974, n: 0.634, o: 0.612, p: 0.635, q: 0.635, r: 0.411, s: 0.521, t: 0.392,
  u: 0.634, v: 0.592, w: 0.818, x: 0.592, y: 0.592, z: 0.525,
  A: 0.684, B: 0.686, C: 0.698, D: 0.77, E: 0.632, F: 0.575, G: 0.775, H: 0.752, I: 0.295, J: 0.295,
  K: 0.656, L: 0.557, M: 0.863, N: 0.748, O: 0.787, P: 0.603, Q: 0.787, R: 0.695, S: 0.635, T: 0.611,
  U: 0.732, V: 0.684, W: 0.989, X: 0.685, Y: 0.611, Z: 0.685,
};

/** Digits all share one advance in DejaVu Sans. */
const DIGIT = 0.636;
/** Fallback for characters not in the table (wide on purpose: overestimating only adds padding). */
const OTHER = 0.8;
/** DejaVu Sans Bold is about 10% wider than Book. */
const BOLD_FACTOR = 1.1;
/** Capitals measure about 10% wider through the rasteriser than the table says. */
const UPPER_FACTOR = 1.12;
/** Safety margin for hinting and rounding at small sizes (measured with resvg at 10-13 px). */
const SAFETY = 1.05;

/** Estimated advance width in pixels of `text` at `fontSize`, bold when `bold`. Never underestimates by design. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (ch >= '0' && ch <= '9') em += DIGIT;
    else if (ch >= 'A' && ch <= 'Z') em += (ADVANCE[ch] ?? OTHER) * UPPER_FACTOR;
    else em += ADVANCE[ch] ?? OTHER;
  }
  return em * fontSize * SAFETY * (bold ? BOLD_FACTOR : 1);
}

/**
 * Greedy line breaking of a list (`a, b, c`) to lines no wider than `maxWidth` at `fontSize`, the first line
 * `firstIndent` narrower (it follows a heading); an item wider than the line gets a line of its own rather than
 * being cut. The first line may come back empty when not even one item fits after the heading.
 */
export function wrapList(items: string[], maxWidth: number, fontSize: number, firstIndent = 0): string[] {
  const lines: string[] = [];
  let cur = '';
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    const next = cur ? `${cur} ${piece}` : piece;
    const room = lines.length === 0 ? maxWidth - firstIndent : maxWidth;
    if (textWidth(next, fontSize) > room && (cur || lines.length === 0)) {
      lines.push(cur);
      cur = piece;
    } else cur = next;
  });
  if (cur) lines.push(cur);
  return lines;
}
