/**
 * The compiled ajv validator of the IR schema, shared by the YAML/JSON loader and the schema check.
 * Compiled once, on first use (compiling costs a few milliseconds; most runs need it once).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { MODEL_IR_SCHEMA } from '../ir/schema.js';

let compiled: ValidateFunction | undefined;

/**
 * The IR validator: `allErrors` (report everything at once), `discriminator` (errors only from the
 * selected `kind` branch), `verbose` (errors carry their parent schema, for did-you-mean hints).
 */
export function irValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, discriminator: true, verbose: true, strict: true, strictRequired: false });
    compiled = ajv.compile(MODEL_IR_SCHEMA);
  }
  return compiled;
}
