/**
 * Which layer classes a saved model.json needs that tfjs does not know (yet): a model directory's gates
 * built by a plugin from its own layer classes cannot load without that plugin, while gates built from
 * tfjs's layers load from the directory alone.
 */
import * as tf from '@tensorflow/tfjs';

/** The layer class names of a model.json's topology (`modelTopology.model_config` or `modelTopology`), nested models included. */
function layerClasses(config: unknown, out: Set<string>): Set<string> {
  const layers = (config as { config?: { layers?: unknown } } | null)?.config?.layers;
  if (!Array.isArray(layers)) return out;
  for (const layer of layers) {
    const name = (layer as { class_name?: unknown } | null)?.class_name;
    if (typeof name === 'string') out.add(name);
    layerClasses(layer, out);
  }
  return out;
}

/** The layer classes of `modelJson` (a model.json's text) that are not registered with tfjs; empty when it is not readable JSON (loading reports that). */
export function unregisteredLayerClasses(modelJson: string): string[] {
  let topology: unknown;
  try {
    const parsed = JSON.parse(modelJson) as { modelTopology?: { model_config?: unknown } };
    topology = parsed.modelTopology?.model_config ?? parsed.modelTopology;
  } catch {
    return [];
  }
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  return [...layerClasses(topology, new Set())].filter((name) => !Object.prototype.hasOwnProperty.call(known, name)).sort();
}
