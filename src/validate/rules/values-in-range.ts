import { diag } from '../../diagnostics/catalog.js';
import type { Located } from '../../ir/types.js';
import type { RuleContext } from '../context.js';
import { mlpKeys, propRange } from '../ranges.js';

/** Invariant: dropout and valid_split are in [0, 1); task weights and early-stop patience are not negative; shuffle_buffer is a positive row count. */
export function valuesInRange(ctx: RuleContext): void {
  const check = (value: unknown, ok: (v: number) => boolean, what: string, range: string, owner: string, decl: Partial<Located>, keys: string[]): void => {
    if (typeof value !== 'number' || ok(value)) return;
    ctx.report(diag('MTL3012', propRange(decl, ...keys).range, { what, owner, range, value }));
  };
  const fraction = (v: number): boolean => v >= 0 && v < 1;
  for (const n of ctx.symbols.nodes) {
    if (n.kind === 'layer' || n.kind === 'experts' || n.kind === 'tower') {
      check(n.mlp?.dropout, fraction, 'dropout', 'in [0, 1)', `${n.kind} '${n.name}'`, n, mlpKeys('dropout'));
    }
  }
  for (const t of ctx.symbols.tasks) check(t.weight, (v) => v >= 0, 'weight', 'at least 0', `task '${t.name}'`, t, ['weight']);
  const train = ctx.ir?.train;
  if (train && typeof train === 'object') {
    check(train.validSplit, fraction, 'valid_split', 'in [0, 1)', 'the train settings', train, ['validSplit', 'valid_split']);
    check(train.shuffleBuffer, (v) => Number.isInteger(v) && v >= 1, 'shuffle_buffer', 'a whole number of rows, at least 1 (or `all`)', 'the train settings', train, ['shuffleBuffer', 'shuffle_buffer']);
    const patience = train.earlyStop?.patience;
    check(patience, (v) => v >= 0, 'early-stop patience', 'at least 0', 'the train settings', train, ['earlyStop.patience', 'patience']);
  }
}
