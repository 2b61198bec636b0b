/**
 * Keeping `mtl train --resume` to what it is for: finishing a run on its own data. New data is `--init`'s
 * job (init-run.ts); before this check, `--resume --data new.csv` silently trained on the old data.
 */
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { canonicalJson } from '../util/canonical-json.js';
import { describeDataRef, type DataRef } from '../data/ref.js';

/**
 * Refuse `--resume` with data other than the checkpoint's (MTL5651): a resumed run replays its epochs on its
 * own data, so other data would be ignored (what `--resume` once did silently) or mix two runs' orders.
 */
export function checkResumeData(checkpointDir: string, saved: { train: DataRef; valid?: DataRef }, given: { train: DataRef; valid?: DataRef }): void {
  const pairs: Array<[string, DataRef | undefined, DataRef | undefined]> = [
    ['training', saved.train, given.train],
    ['validation', saved.valid, given.valid],
  ];
  for (const [what, was, now] of pairs) {
    if (canonicalJson(was ?? null) === canonicalJson(now ?? null)) continue;
    const wasText = was ? describeDataRef(was) : `no ${what} file`;
    const nowText = now ? describeDataRef(now) : `no ${what} file`;
    throw new MtlError(diag('MTL5651', FILE_START, { dir: checkpointDir, what, was: wasText, given: nowText }, { file: checkpointDir }));
  }
}
