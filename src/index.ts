/**
 * The library API, `import … from 'mtl'`: the same stages the CLI and the language server run.
 *
 *   const { ir, diagnostics } = checkText(text, { file: 'model.mtl' });   // parse + validate, never throws on user input
 *   const result = await train({ ir, ... });                               // train and write a model directory
 *   const art = await loadArtifact(dir); const scores = artifactPredictor(art).predict(batch);
 *
 * Gate plugins are written against `mtl/plugin` (the API only) and tested with `mtl/plugin/testing`.
 */

// ---- the language: parse, load, check, format
export { parseSpec, analyzeSpec } from './language/index.js';
export { loadSpecData, dumpSpecData } from './language/load.js';
export { checkText, checkFile, parseAny, hasErrors, type CheckResult, type CheckOptions, type CheckFileOptions } from './language/check.js';
export { validate, type ValidateOptions } from './validate/validate.js';
export { printIR, formatSpec } from './language/printer.js';
export type * from './ir/types.js';
export type { Diagnostic, Range, Position, Severity, StageResult } from './diagnostics/types.js';
export { MtlError } from './diagnostics/error.js';

// ---- plugins
export { createDefaultRegistry, loadPlugins, type LoadPluginsOptions } from './plugins/load.js';
export { PluginRegistry } from './plugins/registry.js';
export { definePlugin, type GatePlugin, type PluginFactory } from './plugins/api.js';

// ---- ops (losses, activations, optimisers)
export { LOSS_DEFS, ACTIVATION_DEFS, OPTIMIZER_DEFS, lossDef, activationDef, optimizerDef, type LossDef, type ActivationDef, type OptimizerDef } from './ir/ops/index.js';

// ---- compile, train, score
export { createModelRuntime, type ModelRuntimeOptions } from './model/index.js';
export type { ModelRuntime } from './model/types.js';
export { selectBackend, type BackendName } from './exec/backend.js';
export { train, type TrainOptions, type TrainResult, type TrainOverrides } from './train/train.js';
export { loadArtifact, type LoadedArtifact } from './artifact/artifact.js';
export { artifactPredictor, type ArtifactPredictor } from './artifact/artifact-predictor.js';
export { predictArtifact, type PredictOptions, type PredictResult } from './artifact/predict.js';
export { evaluateArtifact, type EvaluateOptions, type EvaluateResult } from './artifact/evaluate.js';

// ---- the PyTorch target
export { compileToPytorch, generatePytorchPackage, type PytorchCompileOptions } from './targets/pytorch/index.js';
