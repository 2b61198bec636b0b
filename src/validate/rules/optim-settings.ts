import { diag } from '../../diagnostics/catalog.js';
import { scheduleDef } from '../../ir/ops/index.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/**
 * Invariant: the optimisation recipe of the train block is well-formed: a schedule takes only its own
 * options and has the required ones (the registry's `options` / `required`), values are in range, min_lr is
 * below lr, and the embedding settings have tables to act on.
 */
export function optimSettings(ctx: RuleContext): void {
  const train = ctx.ir?.train;
  if (!train || typeof train !== 'object') return;
  const range = (...keys: string[]) => propRange(train, ...keys).range;
  const check = (value: unknown, ok: (v: number) => boolean, what: string, allowed: string, key: string): void => {
    if (typeof value !== 'number' || ok(value)) return;
    ctx.report(diag('MTL3052', range(key, 'schedule'), { what, range: allowed, value }));
  };
  check(train.weightDecay, (v) => v >= 0, 'weight_decay', 'at least 0', 'weightDecay');
  check(train.embeddingL2, (v) => v >= 0, 'embedding_l2', 'at least 0', 'embeddingL2');
  check(train.clipNorm, (v) => v > 0, 'clip_norm', 'above 0', 'clipNorm');
  const s = train.schedule;
  const def = s && typeof s === 'object' ? scheduleDef(String(s.type)) : undefined;
  if (s && def) {
    const given: Array<[string, unknown]> = [['warmup', s.warmup], ['min_lr', s.minLr], ['every', s.every], ['gamma', s.gamma]];
    for (const [option, value] of given) {
      if (value === undefined) continue;
      if (!(def.options as readonly string[]).includes(option)) {
        const hint = `'${def.name}' takes ${def.options.map((o) => `\`${o}\``).join(', ')}; \`every\` and \`gamma\` belong to \`schedule step\``;
        ctx.report(diag('MTL3050', range(`schedule.${option}`, 'schedule'), { schedule: def.name, option, hint }));
      }
    }
    for (const option of def.required) {
      if (given.find(([o]) => o === option)?.[1] === undefined) ctx.report(diag('MTL3051', range('schedule'), { schedule: def.name, option }));
    }
    check(s.warmup, (v) => Number.isInteger(v) && v >= 0, 'schedule warmup', 'a whole number of updates, at least 0', 'schedule.warmup');
    check(s.every, (v) => Number.isInteger(v) && v >= 1, 'schedule `every`', 'a whole number, at least 1', 'schedule.every');
    check(s.gamma, (v) => v > 0 && v <= 1, 'schedule gamma', 'in (0, 1]', 'schedule.gamma');
    check(s.minLr, (v) => v >= 0, 'schedule min_lr', 'at least 0', 'schedule.min_lr');
    if (typeof s.minLr === 'number' && typeof train.lr === 'number' && s.minLr >= train.lr && def.name !== 'constant') {
      ctx.report(diag('MTL3053', range('schedule.min_lr', 'schedule'), { minLr: s.minLr, lr: train.lr }));
    }
  }
  const hasTables = ctx.symbols.features.some((f) => f.kind !== 'numeric' || (Array.isArray(f.buckets) && f.dim !== undefined));
  if (!hasTables) {
    if (train.embeddingOptimizer !== undefined) ctx.report(diag('MTL3054', range('embeddingOptimizer'), { word: 'embedding_optimizer' }));
    if (train.embeddingL2 !== undefined) ctx.report(diag('MTL3054', range('embeddingL2'), { word: 'embedding_l2' }));
  }
}
