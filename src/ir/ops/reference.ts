/**
 * The op reference of docs/language.md (losses, activations, optimisers, schedules, embedding optimisers with what each target runs),
 * rendered from the registry by scripts/gen-docs.ts between the markers below; a test fails when stale.
 */
import { ACTIVATION_DEFS, EMBEDDING_OPTIMIZER_DEFS, LOSS_DEFS, OPTIMIZER_DEFS, SCHEDULE_DEFS, isNotSupported } from './index.js';

/** Start marker of the generated section. */
export const OPS_START = '<!-- ops:start (generated from src/ir/ops by `npm run docs`) -->';
/** End marker of the generated section. */
export const OPS_END = '<!-- ops:end -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const supported = (x: unknown): string => (isNotSupported(x) ? `no (${x.unsupported})` : 'yes');

/** The generated Markdown (without the markers). */
export function renderOpsReference(): string {
  return [
    '| loss | what it computes | default metrics | direct step | PyTorch |',
    '|---|---|---|---|---|',
    ...LOSS_DEFS.map((d) => `| \`${d.name}\` | ${cell(d.doc)} | ${d.defaultMetrics.join(', ')} | ${supported(d.direct)} | ${supported(d.pytorch)} |`),
    '',
    '| activation | what it computes | direct step |',
    '|---|---|---|',
    ...ACTIVATION_DEFS.map((d) => `| \`${d.name}\` | ${cell(d.summary)} | ${supported(d.direct)} |`),
    '',
    '| optimizer | what it does |',
    '|---|---|',
    ...OPTIMIZER_DEFS.map((d) => `| \`${d.name}\` | ${cell(d.summary)} |`),
    '',
    '| schedule | options | learning rate of update k (after the optional warm-up) |',
    '|---|---|---|',
    ...SCHEDULE_DEFS.map((d) => `| \`${d.name}\` | ${d.options.map((o) => `\`${o}\``).join(', ')} | ${cell(d.doc)} |`),
    '',
    '| embedding_optimizer | what it does | cost per update |',
    '|---|---|---|',
    ...EMBEDDING_OPTIMIZER_DEFS.map((d) => `| \`${d.name}\` | ${cell(`${d.summary} ${d.doc}`)} | ${cell(d.cost)} |`),
  ].join('\n');
}
