/**
 * Bundling the page's script: esbuild bundles web-page.ts (the page, the runtime, the scoring core, tfjs
 * and its wasm backend) into one browser script at export time.
 *
 * Why at export time and not once at build time: the bundle is made from the very sources of the installed
 * mtl (dist/ in a package, src/ under tsx), so a page can never run older scoring code than `mtl predict`
 * next to it, and there is no second build output to keep in step. It costs esbuild as a dependency (a
 * native binary per platform, installed with npm's optional packages) and about a second per export.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';

/** The entry point: web-page.js beside this module in dist/, web-page.ts in the sources. */
function entryPoint(): string {
  const js = fileURLToPath(new URL('./web-page.js', import.meta.url));
  if (existsSync(js)) return js;
  return fileURLToPath(new URL('./web-page.ts', import.meta.url));
}

/**
 * Bundle the page script for browsers (one minified IIFE, no imports left, license comments kept at its
 * end). Throws MtlError MTL5752 when esbuild is missing or the bundle fails.
 */
export async function bundleWebRuntime(): Promise<string> {
  const entry = entryPoint();
  const fail = (reason: string): MtlError => new MtlError(diag('MTL5752', FILE_START, { entry, reason }, { file: entry }));
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    throw fail(`esbuild cannot be loaded (${(e as Error).message.split('\n')[0]})`);
  }
  try {
    const r = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2020',
      minify: true,
      legalComments: 'eof',
      write: false,
      logLevel: 'silent',
    });
    const out = r.outputFiles[0];
    if (!out) throw new Error('esbuild wrote no output');
    return out.text;
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors;
    const first = errors?.[0];
    throw fail(first ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : (e as Error).message);
  }
}
