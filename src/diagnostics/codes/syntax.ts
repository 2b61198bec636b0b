/** MTL1xxx: syntax diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The syntax codes: lexing (100x), parsing (101x), structure only text can have (102x–104x). */
export const SYNTAX_CODES = {
  MTL1001: {
    severity: 'error',
    title: 'unexpected character',
    message: 'Unexpected character{plural} {text}.',
    hint: 'Names use letters, digits, `_` and `-`; strings are written in double quotes; comments start with `#` or `//`.',
    doc: 'The text contains characters that are not part of the language (reported once per run of such characters). Remove them, or quote them in a string.',
  },
  MTL1002: {
    severity: 'error',
    title: 'unterminated string',
    message: 'This string has no closing quote.',
    hint: 'Add a `"` before the end of the line (strings cannot span lines).',
    doc: 'A string literal runs to the end of the line without its closing `"`.',
  },
  MTL1003: {
    severity: 'error',
    title: 'number out of range',
    message: "The number '{text}' is too large.",
    hint: 'Numbers must be finite double-precision values (below about 1.8e308).',
    doc: 'A numeric literal overflows to infinity (e.g. `1e999`).',
  },
  MTL1004: {
    severity: 'error',
    title: 'nesting too deep',
    message: 'Parentheses, brackets or `!` are nested more than {max} levels deep.',
    hint: 'Simplify the expression; the nested part was skipped.',
    doc: 'Parentheses or brackets are nested deeper than the parser accepts; the over-deep part is ignored.',
  },
  MTL1005: {
    severity: 'error',
    title: 'invalid escape',
    message: "Unknown escape '{text}' in a string.",
    hint: 'Strings accept \\" \\\\ \\n \\t and \\r; write \\\\ for a backslash.',
    doc: 'A backslash in a string is followed by a character that is not an escape.',
  },
  MTL1006: {
    severity: 'error',
    title: 'spec too large',
    message: 'The spec is too large to read ({size} characters; the limit is {max}).',
    hint: 'A spec describes a model, not data: keep data in data files.',
    doc: 'The text is longer than the front end accepts (a guard against runaway input); nothing is parsed.',
  },
  MTL1010: {
    severity: 'error',
    title: 'syntax error',
    message: '{text}',
    doc: 'The parser expected a specific token (a name, a number, `=`, a keyword …) and found another. The message says what was expected after what.',
  },
  MTL1011: {
    severity: 'error',
    title: 'unexpected text',
    message: '{text}',
    doc: 'The parser found text where none of the allowed forms can start (e.g. a misspelt declaration keyword, or a stray `}`).',
  },
  MTL1020: {
    severity: 'error',
    title: 'missing model declaration',
    message: 'The spec has no `model` declaration.',
    hint: 'Start the file with `model NAME`.',
    doc: 'Every .mtl file declares exactly one model: `model NAME ["doc"]`.',
  },
  MTL1021: {
    severity: 'error',
    title: 'duplicate declaration',
    message: "Only one '{kind}' declaration is allowed.",
    hint: 'Merge it into the first one.',
    doc: 'A declaration that may appear once (`model`, `data`, `train`) appears again. The first one is used.',
  },
  MTL1030: {
    severity: 'error',
    title: 'unknown option',
    message: "Unknown option '{word}' for {what}.",
    doc: 'A word in a feature, label, data or MLP description is not one of its options. The hint lists the options or the closest one.',
  },
  MTL1031: {
    severity: 'error',
    title: 'unknown train setting',
    message: "Unknown setting '{word}' in train {}.",
    doc: 'A key in the `train { … }` block is not a setting. Settings: optimizer, lr, batch, epochs, seed, valid_split, early_stop, mode, patience, weighting, shuffle_buffer, schedule, weight_decay, embedding_l2, clip_norm, embedding_optimizer, weight_by.',
  },
  MTL1040: {
    severity: 'error',
    title: 'invalid value',
    message: "Invalid {what} '{value}'.",
    doc: 'A word that must be one of a fixed set (an activation, a pooling, an optimizer, a label type …) is not one of them. The hint lists the allowed words.',
  },
  MTL1041: {
    severity: 'error',
    title: 'missing option',
    message: '{what} needs {option}.',
    doc: 'A required part of a declaration is missing, e.g. a categorical feature without `hash N` or `vocab N`, or a task without `loss`.',
  },
  MTL1042: {
    severity: 'error',
    title: 'repeated option',
    message: "'{word}' is given more than once.",
    hint: 'Remove the repetition; the first one is used.',
    doc: 'An option, setting or gate parameter is written twice in one declaration.',
  },
  MTL1043: {
    severity: 'error',
    title: 'wrong kind of value',
    message: "'{word}' expects {expected}, found {found}.",
    doc: 'An option got a value of the wrong kind, e.g. a string where a number is expected.',
  },
  MTL1044: {
    severity: 'error',
    title: 'conflicting options',
    message: "'{word}' cannot be combined with '{other}'.",
    hint: 'Keep only one of them.',
    doc: 'Two options exclude each other, e.g. `hash` and `vocab` on one feature, or `synth` and `train` in one data block.',
  },
  MTL1045: {
    severity: 'warning',
    title: 'setting without effect',
    message: "'{word}' has no effect without {needs}.",
    doc: 'A setting is only used together with another one that is absent, e.g. `patience` without `early_stop`.',
  },
} as const satisfies CodeTable;
