import { describe, expect, it } from 'vitest';
import { renderGraph } from '../../src/diagram/index.js';
import { FONT } from '../../src/diagram/style.js';
import { textWidth } from '../../src/diagram/text.js';
import { esmm } from './fixtures.js';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('renderGraph png', () => {
  it('rasterises the SVG at twice its size by default, and at the asked scale', async () => {
    const ir = esmm();
    const svg = await renderGraph(ir, 'svg');
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    const h = Number(/height="(\d+)"/.exec(svg)![1]);
    const png = await renderGraph(ir, 'png');
    expect(png).toBeInstanceOf(Uint8Array);
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngSize(png)).toEqual({ width: 2 * w, height: 2 * h });
    expect(pngSize(await renderGraph(ir, 'png', { scale: 1 }))).toEqual({ width: w, height: h });
  });

  it('never draws text wider than the layout assumed (checked against the rasteriser)', async () => {
    const { Resvg } = await import('@resvg/resvg-js');
    const samples = [
      'mlp 360 → 200 → 80 relu → 1 sigmoid',
      'bce(never_married)',
      'item_id + history',
      'WWW mmm',
      'softmax(temperature: 1)',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      'abcdefghijklmnopqrstuvwxyz',
      'shared_g1 e[16] 0123456789',
      'bce(click & buy) · where !click | cart',
    ];
    for (const text of samples) {
      for (const bold of [false, true]) {
        const size = bold ? FONT.title : FONT.detail;
        const svg =
          `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="40"><text x="10" y="25" font-family="Helvetica, Arial, sans-serif" ` +
          `font-size="${size}"${bold ? ' font-weight="bold"' : ''}>${text.replace(/&/g, '&amp;')}</text></svg>`;
        const box = new Resvg(svg, { font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans', defaultFontFamily: 'DejaVu Sans' } }).getBBox();
        // No font at all on this machine: nothing to compare against.
        if (!box) continue;
        expect(box.width, `${text}${bold ? ' (bold)' : ''}`).toBeLessThanOrEqual(textWidth(text, size, bold) + 0.5);
      }
    }
  });
});
