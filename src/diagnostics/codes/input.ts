/** MTL19xx: problems with a spec file as a whole (encoding, size), found before lexing. */
import type { CodeTable } from '../catalog.js';

/** The input-file codes. */
export const INPUT_CODES = {
  MTL1900: {
    severity: 'error',
    title: 'invalid UTF-8',
    message: "The file is not valid UTF-8: byte 0x{byte} cannot start or continue a character.",
    hint: 'Save the spec as UTF-8 (specs are text files; binary data cannot be parsed).',
    doc: 'A spec must be UTF-8 text. Reported once, at the first invalid byte sequence; the rest of the file is still checked with the bad bytes replaced.',
  },
  MTL1901: {
    severity: 'error',
    title: 'file too large',
    message: 'The file is {size} MB; specs larger than {limit} MB are not checked.',
    hint: 'A spec describes one model; split generated specs or check the file is the right one.',
    doc: 'A guard against pointing mtl at a data file by mistake.',
  },
} as const satisfies CodeTable;
