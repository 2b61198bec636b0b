/** MTL2xxx: schema diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The schema codes: YAML/JSON syntax and JSON Schema violations of the IR. */
export const SCHEMA_CODES = {
  MTL2001: {
    severity: 'error',
    title: 'YAML/JSON syntax error',
    message: 'The spec is not valid YAML/JSON: {detail}.',
    hint: 'the position is where the parser stopped: check the indentation, quotes and brackets there, or just before',
    doc: 'A .mtl.yaml or .mtl.json spec could not be parsed. The range points at the offending character.',
  },
  MTL2002: {
    severity: 'error',
    title: 'unsupported IR version',
    message: 'The spec has IR version {found}, but this mtl reads version {expected}.',
    hint: 'set `version: {expected}` (and check the spec against the current IR schema)',
    doc: 'The `version` of a YAML/JSON spec (or of an IR) is not the version this release understands.',
  },
  MTL2003: {
    severity: 'error',
    title: 'missing property',
    message: '{owner} is missing the required property \'{prop}\'.',
    hint: 'add `{prop}`; `mtl ir --yaml SPEC.mtl` prints a complete spec to compare with',
    doc: 'A declaration in a YAML/JSON spec lacks a property the IR requires.',
  },
  MTL2004: {
    severity: 'error',
    title: 'unknown property',
    message: '{owner} has the unknown property \'{prop}\'.',
    doc: 'A declaration in a YAML/JSON spec has a property the IR does not define (often a misspelling).',
  },
  MTL2005: {
    severity: 'error',
    title: 'wrong type',
    message: 'Property \'{prop}\' of {owner} must be {expected}.',
    doc: 'A property of a YAML/JSON spec has the wrong JSON type (e.g. a string where a number is expected).',
  },
  MTL2006: {
    severity: 'error',
    title: 'invalid value',
    message: 'Property \'{prop}\' of {owner} has the invalid value {value}.',
    doc: 'A property of a YAML/JSON spec must be one of a fixed set of values.',
  },
  MTL2007: {
    severity: 'error',
    title: 'schema violation',
    message: 'Property \'{prop}\' of {owner} {detail}.',
    doc: 'A property of a YAML/JSON spec breaks another rule of the IR schema.',
  },
  MTL2008: {
    severity: 'error',
    title: 'not a model',
    message: 'The spec must be a mapping of the model\'s properties, not {found}.',
    hint: 'start from `mtl export --format yaml` of a .mtl spec',
    doc: 'The top level of a YAML/JSON spec is empty or is not a mapping.',
  },
  MTL2009: {
    severity: 'error',
    title: 'unknown kind',
    message: '{owner} has the unknown kind \'{kind}\'.',
    doc: 'A feature, node, id space or data source has a `kind` the IR does not define.',
  },
  MTL2010: {
    severity: 'warning',
    title: 'YAML warning',
    message: 'YAML: {detail}.',
    doc: 'The YAML parser accepted the spec but found something suspicious.',
  },
} as const satisfies CodeTable;
