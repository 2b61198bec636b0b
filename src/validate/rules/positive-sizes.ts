import { diag } from '../../diagnostics/catalog.js';
import type { Located } from '../../ir/types.js';
import type { RuleContext } from '../context.js';
import { mlpKeys, propRange } from '../ranges.js';

/**
 * Invariant: every size is positive: expert counts, mlp units, embedding dims, hash/vocab sizes,
 * max_len, batch, epochs, the learning rate and synthetic rows.
 */
export function positiveSizes(ctx: RuleContext): void {
  const check = (value: unknown, what: string, owner: string, decl: Partial<Located> | undefined, keys: string[]): void => {
    if (typeof value !== 'number' || Number.isNaN(value) || value > 0) return;
    ctx.report(diag('MTL3011', propRange(decl, ...keys).range, { what, owner, value }));
  };
  for (const f of ctx.symbols.features) {
    const owner = `feature '${f.name}'`;
    check(f.dim, 'dim', owner, f, ['dim']);
    if (f.kind !== 'numeric' && f.ids && typeof f.ids === 'object' && 'size' in f.ids) check(f.ids.size, 'table size', owner, f, ['ids.size', 'ids']);
    if (f.kind === 'sequence') check(f.maxLen, 'max_len', owner, f, ['maxLen', 'max_len']);
  }
  for (const n of ctx.symbols.nodes) {
    const owner = `${n.kind} '${n.name}'`;
    if (n.kind === 'experts') check(n.count, 'expert count', owner, n, ['count']);
    if (n.kind === 'layer' || n.kind === 'experts' || n.kind === 'tower') {
      const units = Array.isArray(n.mlp?.units) ? n.mlp.units : [];
      units.forEach((u, i) => check(u, `mlp unit ${i + 1}`, owner, n, [...mlpKeys(`units.${i}`), ...mlpKeys('units')]));
    }
  }
  const train = ctx.ir?.train;
  if (train && typeof train === 'object') {
    const owner = 'the train settings';
    check(train.lr, 'learning rate', owner, train, ['lr']);
    check(train.batch, 'batch size', owner, train, ['batch']);
    check(train.epochs, 'number of epochs', owner, train, ['epochs']);
  }
  const data = ctx.ir?.data;
  if (data && typeof data === 'object' && data.kind === 'synth') check(data.rows, 'number of rows', 'the data source', data, ['rows']);
}
