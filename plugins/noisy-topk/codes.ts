/**
 * The diagnostic codes the `noisy-topk` plugin owns (its `codes` member). Plain data with no tfjs, so that
 * the core catalog can list the first-party plugins' codes in the README's code table.
 */
import type { PluginCode } from '../../src/plugins/api.js';

/** noisy-topk's codes: MTL41xx. */
export const NOISY_TOPK_CODES = {
  MTL4101: {
    severity: 'error',
    title: 'top-k above the expert count',
    message: "Gate '{name}' keeps k = {k} experts but mixes only {count}.",
    hint: "use k ≤ {count}, or add experts to the groups after 'over'",
    doc: 'A `noisy-topk` gate\'s `k` is larger than the number of experts it mixes (the sum of the `over` group sizes).',
  },
  MTL4102: {
    severity: 'warning',
    title: 'top-k keeps every expert',
    message: "Gate '{name}' keeps all {k} experts: nothing is sparse, it is a (noisy) softmax gate.",
    hint: "use k < {count} for a sparse mixture, or the 'softmax' gate",
    doc: 'A `noisy-topk` gate\'s `k` equals the number of experts: no expert is ever dropped, so the gate is a noisy softmax.',
  },
} as const satisfies Record<string, PluginCode>;
