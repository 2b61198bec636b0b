/**
 * The JSON Schema of a search-space file (`mtl tune --space FILE`). Written out to
 * schema/tune-space.schema.json (test/tune/space.test.ts keeps the two equal) for editors.
 */

const range = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } as const;

/** The schema of one parameter's distribution. */
const DISTRIBUTION = {
  oneOf: [
    { type: 'object', properties: { uniform: range }, required: ['uniform'], additionalProperties: false },
    { type: 'object', properties: { loguniform: range }, required: ['loguniform'], additionalProperties: false },
    {
      type: 'object',
      properties: { int: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 }, log: { type: 'boolean' } },
      required: ['int'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { choice: { type: 'array', minItems: 1, items: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: 'number' } }] } } },
      required: ['choice'],
      additionalProperties: false,
    },
  ],
} as const;

/** The search-space file: the parameters (IR path → distribution) and optional defaults of the tune's flags. */
export const TUNE_SPACE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://mtl.dev/schema/tune-space.schema.json',
  title: 'mtl tune search space',
  type: 'object',
  properties: {
    params: { type: 'object', minProperties: 1, additionalProperties: DISTRIBUTION },
    objective: { type: 'string', minLength: 1 },
    direction: { enum: ['maximize', 'minimize'] },
  },
  required: ['params'],
  additionalProperties: false,
} as const;
