/**
 * The ordered, frozen list of semantic rules. Order matters only for the order of diagnostics:
 * structure first (tasks, names, references, cycles), then the graph's kinds and widths, plugins,
 * losses, sizes, features, label semantics, metrics, and the unused-* warnings last.
 */
import type { Rule } from '../context.js';
import { modelHasTask } from './model-has-task.js';
import { uniqueNames } from './unique-names.js';
import { knownReferences } from './known-references.js';
import { noCycles } from './no-cycles.js';
import { expertsThroughGates } from './experts-through-gates.js';
import { gateOverExperts } from './gate-over-experts.js';
import { gateWidthsMatch } from './gate-widths-match.js';
import { knownGateType } from './known-gate-type.js';
import { gateParams } from './gate-params.js';
import { gatePluginCheck } from './gate-plugin-check.js';
import { taskHasLoss } from './task-has-loss.js';
import { knownLossType } from './known-loss-type.js';
import { positiveSizes } from './positive-sizes.js';
import { valuesInRange } from './values-in-range.js';
import { optimSettings } from './optim-settings.js';
import { featureHasDim } from './feature-has-dim.js';
import { validShares } from './valid-shares.js';
import { ascendingBuckets } from './ascending-buckets.js';
import { binaryLabelOps } from './binary-label-ops.js';
import { bceBinaryLabel } from './bce-binary-label.js';
import { binaryMasks } from './binary-masks.js';
import { productOfProbabilities } from './product-of-probabilities.js';
import { lossFitsOutput } from './loss-fits-output.js';
import { noLabelLeakage } from './no-label-leakage.js';
import { weightColumns } from './weight-columns.js';
import { gaucGroup } from './gauc-group.js';
import { metricLabelInferable } from './metric-label-inferable.js';
import { metricBinaryLabel } from './metric-binary-label.js';
import { earlyStopOutputs } from './early-stop-outputs.js';
import { noUnusedNodes } from './no-unused-nodes.js';
import { noUnusedFeatures } from './no-unused-features.js';
import { noUnusedLabels } from './no-unused-labels.js';

/** Every semantic rule, in the order they run. */
export const RULES: readonly Rule[] = Object.freeze([
  modelHasTask,
  uniqueNames,
  knownReferences,
  noCycles,
  expertsThroughGates,
  gateOverExperts,
  gateWidthsMatch,
  knownGateType,
  gateParams,
  gatePluginCheck,
  taskHasLoss,
  knownLossType,
  positiveSizes,
  valuesInRange,
  optimSettings,
  featureHasDim,
  validShares,
  ascendingBuckets,
  binaryLabelOps,
  bceBinaryLabel,
  binaryMasks,
  productOfProbabilities,
  lossFitsOutput,
  noLabelLeakage,
  weightColumns,
  gaucGroup,
  metricLabelInferable,
  metricBinaryLabel,
  earlyStopOutputs,
  noUnusedNodes,
  noUnusedFeatures,
  noUnusedLabels,
]);
