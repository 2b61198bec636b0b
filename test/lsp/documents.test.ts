/**
 * The document store with a fake checker: debouncing collapses edits into one check, requests flush a
 * pending check, plugin registries are loaded once per `use` list, and a throwing check is contained.
 */
import { describe, expect, it } from 'vitest';
import { DocumentStore, pluginSources, type Checker } from '../../src/lsp/documents.js';
import type { Analysis } from '../../src/lsp/analysis.js';
import type { PluginRegistry } from '../../src/plugins/registry.js';

function fakeChecker(log: string[], opts: { throwOn?: string } = {}): Checker {
  const registry = {} as PluginRegistry;
  return {
    checkText: ((text: string) => {
      log.push(`text:${text}`);
      if (opts.throwOn !== undefined && text.includes(opts.throwOn)) throw new Error('boom');
      return { ir: undefined, diagnostics: [] };
    }) as Checker['checkText'],
    checkFile: (async (text: string) => {
      log.push(`file:${text}`);
      return { ir: undefined, diagnostics: [], registry };
    }) as Checker['checkFile'],
  };
}

describe('DocumentStore', () => {
  it('debounces changes into one check of the latest text, run at once when a request needs it', async () => {
    const log: string[] = [];
    const published: Analysis[] = [];
    const store = new DocumentStore({ debounceMs: 60_000, checker: fakeChecker(log), onAnalysis: (a) => published.push(a), onError: () => undefined });
    await store.open('file:///x/a.mtl', 1, 'model a');
    store.change('file:///x/a.mtl', 2, 'model b');
    store.change('file:///x/a.mtl', 3, 'model c');
    const a = await store.current('file:///x/a.mtl');
    expect(a?.version).toBe(3);
    expect(log).toEqual(['file:model a', 'text:model c']);
    expect(published.map((p) => p.version)).toEqual([1, 3]);
    store.close('file:///x/a.mtl');
  });

  it('loads plugins (checkFile) once per use-list and checks synchronously otherwise', async () => {
    const log: string[] = [];
    const store = new DocumentStore({ debounceMs: 0, checker: fakeChecker(log), onAnalysis: () => undefined, onError: () => undefined });
    const uri = 'file:///x/b.mtl';
    await store.open(uri, 1, 'use "./p.js"');
    store.change(uri, 2, 'use "./p.js"\nmodel m');
    await store.current(uri);
    store.change(uri, 3, 'use "./q.js"');
    await store.current(uri);
    store.invalidatePlugins();
    store.change(uri, 4, 'use "./q.js" ');
    await store.current(uri);
    expect(log.map((l) => l.split(':')[0])).toEqual(['file', 'text', 'file', 'file']);
  });

  it('reports a throwing check through onError and keeps serving the document', async () => {
    const log: string[] = [];
    const errors: unknown[] = [];
    const store = new DocumentStore({ debounceMs: 0, checker: fakeChecker(log, { throwOn: 'crash' }), onAnalysis: () => undefined, onError: (e) => errors.push(e) });
    const uri = 'file:///x/c.mtl';
    await store.open(uri, 1, 'model a');
    store.change(uri, 2, 'model crash');
    const a = await store.current(uri);
    expect(a?.diagnostics).toEqual([]);
    expect(errors).toHaveLength(1);
    store.change(uri, 3, 'model fine');
    expect((await store.current(uri))?.version).toBe(3);
  });

  it('finds the use sources of a text without parsing it', () => {
    expect(pluginSources('model m\nuse "./a.js"\n  use "pkg" # c\n# use "no"\n')).toEqual(['./a.js', 'pkg']);
  });
});
