// An example gate plugin for mtl, living outside mtl's sources (see docs/plugins.md, "Writing a gate plugin").
//
// `expert-attention`: the gate attends from its input over what the experts computed for this example,
//   q = x·W_q,  k_i = expert_i·W_k,  weight_i = softmax_i(q·k_i / sqrt(dim)),  output = Σ_i weight_i · expert_i.
// A softmax gate picks experts from the input alone; this one also looks at the experts' outputs, so an
// expert that produces nothing useful for this example can be turned down.
//
// Plain JavaScript with JSDoc types: mtl loads it with a dynamic import(), no build step needed. It imports
// nothing at run time: every tfjs call goes through `ctx.tf`, the compiler's own tfjs instance.

/** @type {import('mtl/plugin').PluginFactory} */
export default function expertAttention() {
  return {
    name: 'expert-attention',
    version: '1.0.0',
    description:
      'Attention over the experts: the gate input makes a query, each expert output a key, and the weights are the softmax of their ' +
      'scaled dot products. Unlike softmax, the weights depend on what the experts computed for the example, not only on the input.',
    paramsSchema: {
      type: 'object',
      properties: {
        dim: { type: 'integer', minimum: 1, default: 8, description: 'Width of the query and key projections (default 8).' },
      },
      additionalProperties: false,
    },

    // Rules beyond the schema. Report, never throw: `property` puts the squiggle on that parameter.
    check(ctx) {
      if (ctx.expertCount < 2) {
        ctx.report({
          severity: 'warning',
          message: `Gate '${ctx.gate.name}' attends over a single expert, whose weight is always 1.`,
          hint: 'mix two or more experts, or connect the expert directly',
        });
      }
    },

    build(ctx) {
      const { tf, prefix, seed } = ctx;
      const dim = typeof ctx.params.dim === 'number' ? ctx.params.dim : 8;
      const project = (name, salt) =>
        tf.layers.dense({ units: dim, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + salt }), name: `${prefix}_${name}` });
      const query = project('query', 0).apply(ctx.input); // [batch, dim]
      const keys = project('key', 1).apply(ctx.experts); // [batch, experts, dim]: dense acts on the last axis
      const scores = tf.layers.dot({ axes: [2, 1], name: `${prefix}_scores` }).apply([keys, query]); // [batch, experts]
      const scaled = tf.layers.rescaling({ scale: 1 / Math.sqrt(dim), name: `${prefix}_scale` }).apply(scores);
      const weights = tf.layers.softmax({ name: `${prefix}_softmax` }).apply(scaled);
      const output = tf.layers.dot({ axes: [1, 1], name: `${prefix}_mix` }).apply([weights, ctx.experts]); // [batch, expertWidth]
      return { output, weights };
    },
  };
}
