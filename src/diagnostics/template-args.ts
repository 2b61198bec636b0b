/**
 * Type-level reading of the catalog's message templates: the `{name}` placeholders of a template as a union
 * of keys, so that `diag` is typed by its code and a missing argument fails `tsc` instead of printing `{name}`.
 * Mirrors fillTemplate's `\{(\w+)\}`: a brace pair whose content is not one word (`({ name, version })` in a
 * hint's code sample) is not a placeholder.
 */

/** Characters that cannot occur in a placeholder's name. */
type NonWord = ' ' | ',' | ':' | '.' | '(' | ')' | '{' | '}' | "'" | '"' | '`' | '-' | '/' | '=' | '<' | '>' | '[' | ']' | '|' | '*' | '+' | '!' | '?' | ';' | '\n' | '#' | '@' | '$' | '%' | '&' | '~' | '\\';

/** K when it is one word (a placeholder name), else never. */
type Word<K extends string> = K extends '' ? never : K extends `${string}${NonWord}${string}` ? never : K;

/** The placeholder names of a template, as a union (never without placeholders). */
export type Placeholders<S extends string> = S extends `${string}{${infer K}}${infer Rest}`
  ? Word<K> | Placeholders<Rest> | (Word<K> extends never ? Placeholders<`${K extends `${string}{${infer Inner}` ? `{${Inner}` : ''}}${Rest}`> : never)
  : never;
