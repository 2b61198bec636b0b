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
  // ---- MTL42xx: trust: which plugin code may run, and plugins declared by their manifests (docs/plugins.md, "Trust and security")
  MTL4201: {
    severity: 'error',
    title: 'absolute plugin path',
    message: 'The plugin path \'{source}\' is absolute; only paths inside the spec\'s project are loaded from an untrusted spec.',
    doc: 'A `use` line names an absolute path. Plugins of a spec that is not trusted must live inside its project (the nearest folder above it with a package.json or .git).',
  },
  MTL4202: {
    severity: 'error',
    title: 'plugin path outside the project',
    message: 'The plugin path \'{source}\' leads outside the spec\'s project ({root}).',
    doc: 'A relative `use` path (after following symbolic links) leaves the spec\'s project root. Move the plugin into the project or trust the spec.',
  },
  MTL4203: {
    severity: 'error',
    title: 'plugin package outside the project',
    message: 'The plugin package \'{source}\' is not installed inside the spec\'s project ({root}).',
    doc: 'A `use` package name resolves only to a node_modules folder outside the spec\'s project (e.g. one in a parent folder). Install it in the project or trust the spec.',
  },
  MTL4204: {
    severity: 'error',
    title: 'plugin without a manifest',
    message: 'The plugin \'{source}\' has no manifest, so its gate types cannot be checked without running its code.',
    doc: 'An untrusted spec\'s plugins are checked from their manifests (`NAME.mtl-plugin.json` or `mtl-plugin.json` next to the module, or the `"mtl"` field of its package.json) without running them; this one has none.',
  },
  MTL4205: {
    severity: 'error',
    title: 'unreadable plugin manifest',
    message: 'The manifest of plugin \'{source}\' ({file}) cannot be read: {detail}.',
    hint: 'a manifest is a JSON object: {"name", "version", "description", "paramsSchema"}',
    doc: 'A plugin manifest file is not valid JSON (or is too large to be one).',
  },
  MTL4206: {
    severity: 'info',
    title: 'plugin checks not run',
    message: 'The code of plugin \'{source}\' was not run (the spec is not trusted): its gates were checked against its manifest, but its own extra checks were skipped.',
    doc: 'The spec is not trusted, so its plugins were registered from their manifests. Gate types and parameters are checked; checks that the plugin implements in code are not.',
  },
  MTL4207: {
    severity: 'error',
    title: 'plugin manifest differs from its code',
    message: 'The manifest of plugin \'{source}\' does not match its code: {detail}.',
    hint: 'update the manifest to the code\'s name, version and paramsSchema',
    doc: 'A plugin\'s manifest (what untrusted checks go by) and the plugin its code returns disagree on the gate name, version or parameter schema.',
  },
  MTL4208: {
    severity: 'error',
    title: 'model needs a plugin',
    message: 'The model needs the plugin of gate type {types} (its saved layers use {classes}), which is not built in and no --plugin provides; its ir.json lists {sources}, but code named by a model directory is never loaded.',
    hint: 'pass --plugin PATH to load it (PATH is the plugin module you trust)',
    doc: 'A model directory is data: `mtl predict`, `eval` and `report` do not import the plugins its ir.json lists. A gate whose plugin built it from tfjs\'s own layers loads without it; one with its own layer classes needs the plugin: name its module yourself with --plugin.',
  },
  // ---- MTL41xx: the first-party gate plugins' own checks live with each plugin (plugins/*/codes.ts; catalog.ts merges them)
} as const satisfies CodeTable;
