/** MTL4xxx: plugin diagnostics. See src/diagnostics/catalog.ts for the rules of the catalog. */
import type { CodeTable } from '../catalog.js';

/** The plugin codes: loading and registering gate plugins, and their parameters and checks. */
export const PLUGIN_CODES = {
  MTL4001: {
    severity: 'error',
    title: 'plugin not found',
    message: 'The plugin module \'{source}\' was not found.',
    doc: 'A `use` declaration (or --plugin) names a file or package that cannot be resolved from the spec\'s directory.',
  },
  MTL4002: {
    severity: 'error',
    title: 'no plugin factory',
    message: 'The plugin module \'{source}\' has no default-exported factory.',
    hint: 'write `export default definePlugin(() => ({ name, version, description, paramsSchema, build }))`',
    doc: 'A plugin module must export a factory function as its default export.',
  },
  MTL4003: {
    severity: 'error',
    title: 'plugin factory failed',
    message: 'The factory of plugin \'{source}\' threw: {detail}.',
    doc: 'Calling the plugin module\'s default-exported factory raised an exception.',
  },
  MTL4004: {
    severity: 'error',
    title: 'invalid plugin',
    message: 'The plugin from \'{source}\' is invalid: {detail}.',
    doc: 'The object returned by a plugin factory lacks a field of the GatePlugin API or has one of the wrong type.',
  },
  MTL4005: {
    severity: 'error',
    title: 'invalid parameter schema',
    message: 'The parameter schema of gate plugin \'{name}\' does not compile: {detail}.',
    doc: 'A plugin\'s `paramsSchema` is not a valid JSON Schema for ajv.',
  },
  MTL4006: {
    severity: 'error',
    title: 'duplicate plugin',
    message: 'A gate plugin named \'{name}\' is already loaded (from \'{previous}\').',
    hint: 'remove one of the `use` declarations, or rename one plugin',
    doc: 'Two loaded plugins declare the same gate type.',
  },
  MTL4007: {
    severity: 'error',
    title: 'plugin failed to load',
    message: 'The plugin module \'{source}\' failed to load: {detail}.',
    doc: 'Importing a plugin module raised an exception (a syntax error, a missing dependency, ...).',
  },
  MTL4008: {
    severity: 'error',
    title: 'invalid gate parameters',
    message: 'Gate \'{name}\' has an invalid parameter: {detail}.',
    doc: 'A gate\'s parameters break its plugin\'s `paramsSchema`.',
  },
  MTL4010: {
    severity: 'error',
    title: 'plugin check',
    message: 'Gate \'{name}\' failed a check of its plugin.',
    doc: 'Reported by a gate plugin\'s own `check`; the message and hint come from the plugin.',
  },
  MTL4011: {
    severity: 'error',
    title: 'plugin check crashed',
    message: 'The check of gate plugin \'{type}\' threw on gate \'{name}\': {detail}.',
    hint: 'this is a bug in the plugin; report it to its author',
    doc: 'A plugin\'s `check` raised an exception instead of reporting through `ctx.report`.',
  },
  // ---- MTL41xx: the first-party gate plugins' own checks live with each plugin (plugins/*/codes.ts; catalog.ts merges them)
} as const satisfies CodeTable;
