/**
 * Geometry of the chips in a compact features block (features-block.ts): a column of chips, one per encoding,
 * each a bold title followed, on the same line, by the wrapped list of its features (a short group is one line). Layout sizes the block from this and the SVG renderer
 * draws the same wrapped lines, so text and boxes agree.
 */
import type { FeatureChip } from './features-block.js';
import { FONT } from './style.js';
import { textWidth, wrapList } from './text.js';

/** Font sizes and spacing of chips. */
export const CHIP = {
  title: FONT.chip,
  names: FONT.chip - 0.5,
  /** One line height for title and names, since they share the first line. */
  line: FONT.chip * 1.4,
  /** Space between the title and the first name. */
  titleGap: 6,
  padX: 7,
  padY: 4,
  gap: 5,
  /** The names wrap at this width: about a model's width, so the block does not widen the figure. */
  maxTextWidth: 460,
} as const;

/** One chip placed relative to the top-left corner of the stack. */
export interface ChipPlacement {
  y: number;
  height: number;
  /** The feature names, wrapped to the chip's width; the first line follows the title. */
  lines: string[];
  /** Where the names of the first line start, from the chip's text edge (the title's width and a gap). */
  indent: number;
}

/** The stack of chips: its size, and each chip's offset, height and wrapped name lines. */
export interface ChipStack {
  width: number;
  height: number;
  chips: ChipPlacement[];
}

/** Width of a chip's title plus the gap before its names. */
function titleIndent(c: FeatureChip): number {
  return textWidth(c.title, CHIP.title, true) + CHIP.titleGap;
}

/**
 * Stacks `chips` top to bottom, all one width: the widest title-and-names line, capped at
 * {@link CHIP}.maxTextWidth (longer lists wrap; short ones keep the chip narrow).
 */
export function chipStack(chips: FeatureChip[]): ChipStack {
  let text = 0;
  for (const c of chips) {
    text = Math.max(text, titleIndent(c) + Math.min(CHIP.maxTextWidth, textWidth(c.names.join(', '), CHIP.names)));
  }
  text = Math.min(text, Math.max(CHIP.maxTextWidth, ...chips.map((c) => titleIndent(c) + 40)));
  const width = Math.ceil(text + 2 * CHIP.padX);
  let y = 0;
  const placed = chips.map((c) => {
    const indent = titleIndent(c);
    const lines = wrapList(c.names, text, CHIP.names, indent);
    const height = Math.ceil(2 * CHIP.padY + Math.max(1, lines.length) * CHIP.line);
    const p = { y, height, lines, indent };
    y += height + CHIP.gap;
    return p;
  });
  return { width, height: Math.max(0, y - CHIP.gap), chips: placed };
}
