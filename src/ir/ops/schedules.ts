/**
 * The learning-rate schedules of `train { schedule NAME [warmup N] [min_lr X] [every N epochs|steps] [gamma X] }`:
 * one definition each, read by the runtime (the tfjs and the direct step share src/model/optim-step.ts), the
 * PyTorch target (emitted into mtl_ops.py), the docs and the language server. Every schedule starts with the
 * same optional linear warm-up ({@link scheduleLr}); `decay` is what follows it.
 */
import type { ScheduleContext, ScheduleDef } from './types.js';

/** `constant`: the base lr after the warm-up (a warm-up-only schedule). */
export const constant = {
  kind: 'schedule',
  name: 'constant',
  summary: 'The base lr throughout (after the optional warm-up).',
  doc: 'lr(k) = lr. With `warmup N` this is warm-up only.',
  options: ['warmup'],
  required: [],
  decay: (_k, _span, c) => c.lr,
  pytorch: 'c["lr"]',
} as const satisfies ScheduleDef;

/** `linear`: straight down from lr to min_lr over the run. */
export const linear = {
  kind: 'schedule',
  name: 'linear',
  summary: 'Linear decay from lr to min_lr (default 0) over the run.',
  doc: 'lr(k) = lr + (min_lr − lr)·k/S, k updates after the warm-up, S = total updates − warm-up.',
  options: ['warmup', 'min_lr'],
  required: [],
  decay: (k, span, c) => c.lr + (c.minLr - c.lr) * Math.min(1, k / span),
  pytorch: 'c["lr"] + (c["minLr"] - c["lr"]) * min(1.0, k / span)',
} as const satisfies ScheduleDef;

/** `cosine`: half a cosine from lr to min_lr over the run (Loshchilov & Hutter's SGDR without restarts). */
export const cosine = {
  kind: 'schedule',
  name: 'cosine',
  summary: 'Cosine decay from lr to min_lr (default 0) over the run.',
  doc: 'lr(k) = min_lr + (lr − min_lr)·(1 + cos(π·k/S))/2, k updates after the warm-up, S = total updates − warm-up.',
  options: ['warmup', 'min_lr'],
  required: [],
  decay: (k, span, c) => c.minLr + ((c.lr - c.minLr) * (1 + Math.cos(Math.PI * Math.min(1, k / span)))) / 2,
  pytorch: 'c["minLr"] + (c["lr"] - c["minLr"]) * (1 + math.cos(math.pi * min(1.0, k / span))) / 2',
} as const satisfies ScheduleDef;

/** `step`: multiply by gamma every N epochs or updates (torch's StepLR). */
export const step = {
  kind: 'schedule',
  name: 'step',
  summary: 'lr·gamma^⌊k/every⌋ (gamma default 0.1), never below min_lr.',
  doc: 'lr(k) = max(min_lr, lr·gamma^⌊k/E⌋), k updates after the warm-up, E = `every N epochs` (N × updates per epoch) or `every N steps`.',
  options: ['warmup', 'min_lr', 'every', 'gamma'],
  required: ['every'],
  decay: (k, _span, c) => Math.max(c.minLr, c.lr * Math.pow(c.gamma, Math.floor(k / c.everySteps))),
  pytorch: 'max(c["minLr"], c["lr"] * c["gamma"] ** (k // c["everySteps"]))',
} as const satisfies ScheduleDef;

/** Every schedule, in the docs' order. */
export const SCHEDULE_DEFS = [constant, linear, cosine, step] as const;

/** The default of `gamma` (torch.optim.lr_scheduler.StepLR's). */
export const DEFAULT_GAMMA = 0.1;

/**
 * The learning rate of update `k` (0-based: the first update uses k = 0): a linear warm-up from lr/W to lr
 * over the first W updates, then the schedule's decay. One function for every runtime (PyTorch emits the same
 * formula in mtl_ops.py's scheduled_lr).
 */
export function scheduleLr(def: ScheduleDef, k: number, c: ScheduleContext): number {
  if (k < c.warmup) return (c.lr * (k + 1)) / c.warmup;
  return def.decay(k - c.warmup, Math.max(1, c.totalSteps - c.warmup), c);
}
