/**
 * The models a server serves, by name, and their atomic hot reload. A reload loads and verifies the new
 * model completely beside the old one; only then is the name switched to it (one assignment: a request
 * scores wholly with the old model or wholly with the new one, see batcher.ts) and the old one freed.
 * When loading fails the old model stays and the failure is reported; a request never sees a half-loaded model.
 */
import { isMtlError } from '../diagnostics/error.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import type { ServingModel } from './load.js';
import { MicroBatcher, type BatchOptions } from './batcher.js';

/** One served name. */
export interface ServedModel {
  name: string;
  dir: string;
  /** The model now served (replaced by reloads). */
  current: ServingModel;
  batcher: MicroBatcher<ServingModel>;
}

/** Loads a model directory (the same options for the first load and every reload). */
export type ModelLoader = (dir: string) => Promise<ServingModel>;

/** The outcome of reloading one model. */
export interface ReloadOutcome {
  model: string;
  ok: boolean;
  /** MTL5612 when the reload failed. */
  diagnostic?: Diagnostic;
}

/** The models of a server. The first is the default (`/v1/predict`, `/v1/model`). */
export class ModelSet {
  private readonly byName = new Map<string, ServedModel>();
  private reloading: Promise<ReloadOutcome[]> | undefined;

  constructor(
    private readonly load: ModelLoader,
    private readonly batch: (name: string) => BatchOptions,
  ) {}

  /** Load every `name → dir` (throws the first load failure: a server does not start without its models). */
  static async open(entries: ReadonlyArray<{ name: string; dir: string }>, load: ModelLoader, batch: (name: string) => BatchOptions): Promise<ModelSet> {
    const set = new ModelSet(load, batch);
    try {
      for (const { name, dir } of entries) set.add(name, dir, await load(dir));
    } catch (e) {
      set.dispose();
      throw e;
    }
    return set;
  }

  private add(name: string, dir: string, model: ServingModel): void {
    const batcher = new MicroBatcher<ServingModel>(() => {
      const m = served.current;
      return { model: m, score: (rows, opts) => m.scoreRows(rows, opts) };
    }, this.batch(name));
    const served: ServedModel = { name, dir, current: model, batcher };
    this.byName.set(name, served);
  }

  /** The model served as `name`, or undefined. */
  get(name: string): ServedModel | undefined {
    return this.byName.get(name);
  }

  /** The default model (the first). */
  get default(): ServedModel {
    return this.byName.values().next().value!;
  }

  /** Every served model, in order. */
  all(): ServedModel[] {
    return [...this.byName.values()];
  }

  /**
   * Reload every model from its directory. Each is swapped only when its new copy loaded and verified;
   * a reload requested while one runs waits for it and then runs again (the directory may have changed since).
   */
  async reload(): Promise<ReloadOutcome[]> {
    const previous = this.reloading;
    const run = (async () => {
      await previous?.catch(() => undefined);
      const outcomes: ReloadOutcome[] = [];
      for (const served of this.byName.values()) {
        let next: ServingModel;
        try {
          next = await this.load(served.dir);
        } catch (e) {
          const reason = isMtlError(e) ? e.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ') : e instanceof Error ? e.message : String(e);
          outcomes.push({ model: served.name, ok: false, diagnostic: diag('MTL5612', FILE_START, { model: served.name, dir: served.dir, reason: reason.replace(/\.$/, '') }, { file: served.dir }) });
          continue;
        }
        const old = served.current;
        // Queued requests score with whatever `current` is when their batch runs; scoring is synchronous,
        // so no batch is using `old` while this code runs, and it can be freed at once.
        served.current = next;
        old.dispose();
        outcomes.push({ model: served.name, ok: true });
      }
      return outcomes;
    })();
    this.reloading = run;
    return run;
  }

  /** Free every model. */
  dispose(): void {
    for (const s of this.byName.values()) s.current.dispose();
    this.byName.clear();
  }
}
