/**
 * SVG -> PNG with @resvg/resvg-js: a Rust rasteriser shipped as prebuilt binaries in npm optionalDependencies, so
 * it installs from the registry with no download or compile step at install time. Loaded lazily, so SVG and DOT
 * output never load a native module.
 */

/** PNG rasterisation options. */
export interface PngOptions {
  /** Zoom factor: 2 (the default) gives a sharp image for papers and slides. */
  scale?: number;
  /** Font files to use in addition to the system's fonts (for machines without any sans-serif font installed). */
  fontFiles?: string[];
  /** The family that the generic `sans-serif` resolves to; default "DejaVu Sans", the common Linux face. */
  sansSerifFamily?: string;
}

/** The part of @resvg/resvg-js used here. */
interface ResvgModule {
  Resvg: new (
    svg: string,
    options: {
      fitTo: { mode: 'zoom'; value: number };
      font: { loadSystemFonts: boolean; fontFiles?: string[]; sansSerifFamily: string; defaultFontFamily: string };
      background: string;
      logLevel: 'off';
    },
  ) => { render(): { asPng(): Uint8Array } };
}

/**
 * Rasterises an SVG document to PNG bytes. Rejects (an environment problem, not a user error) when the resvg
 * binary for this platform is not installed, naming the package to install.
 */
export async function svgToPng(svg: string, opts: PngOptions = {}): Promise<Uint8Array> {
  let mod: ResvgModule;
  try {
    const loaded = (await import('@resvg/resvg-js')) as unknown as ResvgModule & { default?: ResvgModule };
    mod = loaded.Resvg ? loaded : (loaded.default as ResvgModule);
  } catch (err) {
    throw new Error(
      `PNG output needs @resvg/resvg-js and its prebuilt binary for ${process.platform}-${process.arch}; ` +
        `install it, or render SVG instead (${(err as Error).message})`,
    );
  }
  const family = opts.sansSerifFamily ?? 'DejaVu Sans';
  const font: { loadSystemFonts: boolean; fontFiles?: string[]; sansSerifFamily: string; defaultFontFamily: string } = {
    loadSystemFonts: true,
    sansSerifFamily: family,
    defaultFontFamily: family,
  };
  if (opts.fontFiles && opts.fontFiles.length > 0) font.fontFiles = opts.fontFiles;
  const resvg = new mod.Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    font,
    background: '#ffffff',
    logLevel: 'off',
  });
  // Copy into a plain Uint8Array: callers compare and write bytes, not Node Buffers.
  return new Uint8Array(resvg.render().asPng());
}
