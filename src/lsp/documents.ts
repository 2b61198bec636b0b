/**
 * The document store: the open documents' texts and, for each, the latest analysis and the last
 * analysis whose check produced an IR (features fall back to it while the text does not parse).
 * Checks are debounced on change; a request flushes a pending check first so it sees fresh results.
 * Plugin registries are cached per (trust, spec directory, `use` list) so a keystroke never reloads plugins.
 * Whether a document's plugins may run is asked of `trustOf` (src/lsp/trust.ts); by default none runs.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile, checkText } from '../language/check.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { PluginTrust } from '../plugins/trust.js';
import { makeAnalysis, type Analysis } from './analysis.js';

/** A check function's signature, injectable for tests. */
export interface Checker {
  checkText: typeof checkText;
  checkFile: typeof checkFile;
}

interface DocState {
  uri: string;
  version: number;
  text: string;
  latest?: Analysis;
  lastGood?: Analysis;
  timer?: ReturnType<typeof setTimeout>;
  /** The in-flight or finished check of the current version. */
  pending?: Promise<Analysis>;
  pendingVersion?: number;
}

/** Options of the store. */
export interface StoreOptions {
  /** Delay after the last change before re-checking, in ms. */
  debounceMs: number;
  /** Called with each new analysis (to publish diagnostics). */
  onAnalysis(a: Analysis): void;
  /** Called when a check throws (a bug): logged, never fatal. */
  onError(err: unknown): void;
  checker?: Checker;
  /** How far a document's plugins may go (default: manifests only, no code). */
  trustOf?(uri: string): PluginTrust;
  /** How the user can trust a spec, for the hints of refusals. */
  consent?: string;
}

/** The file path of a document URI (file: URIs), or undefined for untitled documents. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try { return fileURLToPath(uri); } catch { return undefined; }
}

/** The `use "..."` sources of a text, in order (the registry cache key; a cheap scan, no parse). */
export function pluginSources(text: string): string[] {
  const out: string[] = [];
  const re = /^\s*use\s+"((?:[^"\\\n]|\\.)*)"/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** Open documents and their analyses. */
export class DocumentStore {
  private readonly docs = new Map<string, DocState>();
  private readonly registries = new Map<string, PluginRegistry>();
  private readonly checker: Checker;

  constructor(private readonly opts: StoreOptions) {
    this.checker = opts.checker ?? { checkText, checkFile };
  }

  /** A document was opened: check it now. */
  open(uri: string, version: number, text: string): Promise<Analysis> {
    const st: DocState = { uri, version, text };
    this.docs.set(uri, st);
    return this.schedule(st, 0);
  }

  /** A document changed: re-check after the debounce delay. */
  change(uri: string, version: number, text: string): void {
    const st = this.docs.get(uri) ?? { uri, version, text };
    st.version = version;
    st.text = text;
    this.docs.set(uri, st);
    void this.schedule(st, this.opts.debounceMs);
  }

  /** A document was closed. */
  close(uri: string): void {
    const st = this.docs.get(uri);
    if (st?.timer) clearTimeout(st.timer);
    this.docs.delete(uri);
  }

  /** Forget cached plugin registries (after a save: a plugin file may have changed). */
  invalidatePlugins(): void {
    this.registries.clear();
  }

  /** Check every open document again (after the trust changed: its plugins may now run, or no longer). */
  recheckAll(): void {
    this.invalidatePlugins();
    for (const st of this.docs.values()) {
      st.pending = undefined;
      void this.schedule(st, 0);
    }
  }

  /** The current text of a document. */
  text(uri: string): string | undefined {
    return this.docs.get(uri)?.text;
  }

  /** The analysis of the current text (running a pending check now), or undefined for an unknown document. */
  async current(uri: string): Promise<Analysis | undefined> {
    const st = this.docs.get(uri);
    if (!st) return undefined;
    if (st.latest && st.latest.version === st.version && !st.timer) return st.latest;
    return this.schedule(st, 0);
  }

  /** The latest analysis if it has an IR, else the last one that had (for features that need names). */
  async withIr(uri: string): Promise<Analysis | undefined> {
    const a = await this.current(uri);
    if (a?.ir) return a;
    return this.docs.get(uri)?.lastGood ?? a;
  }

  private schedule(st: DocState, delay: number): Promise<Analysis> {
    if (st.timer) { clearTimeout(st.timer); st.timer = undefined; }
    if (st.pending && st.pendingVersion === st.version) return st.pending;
    if (delay <= 0) return this.run(st);
    return new Promise<Analysis>((resolve) => {
      st.timer = setTimeout(() => {
        st.timer = undefined;
        this.run(st).then(resolve, () => undefined);
      }, delay);
    });
  }

  private run(st: DocState): Promise<Analysis> {
    const { version, text } = st;
    const p = this.analyze(st.uri, version, text).then(
      (a) => {
        if (this.docs.get(st.uri) === st && st.version === version) {
          st.latest = a;
          if (a.ir) st.lastGood = a;
          this.opts.onAnalysis(a);
        }
        return a;
      },
      (err: unknown) => {
        this.opts.onError(err);
        const a = makeAnalysis(st.uri, version, text, undefined, [], undefined);
        return a;
      },
    );
    st.pending = p;
    st.pendingVersion = version;
    return p;
  }

  /** Check one text: with a cached registry synchronously, else through checkFile (which loads the `use` plugins) once. */
  private async analyze(uri: string, version: number, text: string): Promise<Analysis> {
    const file = uriToPath(uri);
    const baseDir = file ? path.dirname(file) : process.cwd();
    const trust = this.opts.trustOf?.(uri) ?? 'manifest';
    const key = `${trust}\u0000${baseDir}\u0000${pluginSources(text).join('\u0000')}`;
    const cached = this.registries.get(key);
    if (cached) {
      const r = this.checker.checkText(text, { file, registry: cached });
      return makeAnalysis(uri, version, text, r.ir, r.diagnostics, cached);
    }
    const r = await this.checker.checkFile(text, file ?? path.join(baseDir, 'untitled.mtl'), { trust, ...(this.opts.consent ? { consent: this.opts.consent } : {}) });
    this.registries.set(key, r.registry);
    return makeAnalysis(uri, version, text, r.ir, r.diagnostics, r.registry);
  }
}
