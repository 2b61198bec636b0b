/** Names of tfjs weights, shared by the compiler, saved-model loading and the PyTorch converter. */

/** A tfjs weight name without the `_N` suffix tfjs appends to a variable whose name was taken (`dense/kernel_1`). */
export function canonicalTfjsName(name: string): string {
  return name.replace(/\/(kernel|bias|embeddings|gamma|beta|moving_mean|moving_variance)_\d+$/, '/$1');
}
