/**
 * Hover: a named node (its kind, docstring and inferred output width), a gate type (the plugin's
 * description and parameters), a gate parameter (its schema description), or a keyword (its doc).
 */
import type { Hover, Position } from 'vscode-languageserver/node.js';
import type { Range } from '../diagnostics/types.js';
import type { GateNode } from '../ir/types.js';
import type { PluginManifest } from '../plugins/api.js';
import { gatePlugin, type Analysis } from './analysis.js';
import { keywordHover } from './keyword-docs.js';
import { nameAt, type SymbolDef } from './symbol-index.js';
import { touches, wordAt } from './text.js';

/** The hover at `pos`, or null. */
export function hover(a: Analysis, pos: Position): Hover | null {
  const gateHit = gateHover(a, pos);
  if (gateHit) return gateHit;
  const hit = nameAt(a.index, pos);
  if (hit) {
    const defs = a.index.byName.get(hit.name) ?? [];
    if (defs.length) return { contents: { kind: 'markdown', value: defs.map(describeSymbol).join('\n\n---\n\n') }, range: hit.range };
  }
  const w = wordAt(a.lines, pos);
  if (!w) return null;
  const kw = keywordHover(w.word);
  if (kw) return { contents: { kind: 'markdown', value: kw }, range: w.range };
  // A name the index does not know (e.g. the IR is stale) may still be declared: describe it by name.
  const defs = a.index.byName.get(w.word);
  if (defs?.length) return { contents: { kind: 'markdown', value: defs.map(describeSymbol).join('\n\n---\n\n') }, range: w.range };
  return null;
}

/** Markdown for one declaration. */
export function describeSymbol(d: SymbolDef): string {
  const decl = d.decl as unknown as Record<string, unknown>;
  const parts: string[] = [];
  let head = `**${d.kind}** \`${d.name}\``;
  if (d.kind === 'feature') head = `**${String(decl.kind)} feature** \`${d.name}\``;
  if (d.kind === 'label') head = `**${String(decl.type)} label** \`${d.name}\``;
  if (d.kind === 'gate') head += ` — gate type \`${String(decl.type)}\``;
  parts.push(head);
  const facts: string[] = [];
  if (typeof decl.width === 'number') {
    facts.push(d.kind === 'experts' ? `output width ${decl.width} per expert × ${String(decl.count)}` : `output width ${decl.width}`);
  }
  if (d.kind === 'experts' && typeof decl.width !== 'number' && typeof decl.count === 'number') facts.push(`${decl.count} experts`);
  if (typeof decl.column === 'string') facts.push(`column \`${decl.column}\``);
  if (typeof decl.on === 'string') facts.push(`on \`${decl.on}\``);
  if (Array.isArray(decl.over)) facts.push(`over ${decl.over.map((x) => `\`${String(x)}\``).join(', ')}`);
  if (Array.isArray(decl.from)) facts.push(`from ${decl.from.map((x) => `\`${String(x)}\``).join(', ')}`);
  if (Array.isArray(decl.head)) facts.push(`head ${decl.head.map((x) => `\`${String(x)}\``).join(' * ')}`);
  if (facts.length) parts.push(facts.join(' · '));
  if (typeof decl.doc === 'string' && decl.doc) parts.push(decl.doc);
  return parts.join('\n\n');
}

/** Hover on a gate's type or one of its parameters. */
function gateHover(a: Analysis, pos: Position): Hover | null {
  for (const n of a.ir?.nodes ?? []) {
    if (n.kind !== 'gate' || !n.loc || !touches(n.loc, pos)) continue;
    const g = n as GateNode;
    const plugin = gatePlugin(a.registry, g.type);
    const typeRange = g.locs?.type;
    if (typeRange && touches(typeRange, pos)) {
      const value = plugin ? describePlugin(plugin) : `**gate type** \`${g.type}\` — no loaded plugin provides it.`;
      return { contents: { kind: 'markdown', value }, range: typeRange };
    }
    // A parameter: its key (`strength:` — the IR ranges cover values, so the key is found in the text) or its value.
    let param: { name: string; range: Range } | undefined;
    const w = wordAt(a.lines, pos);
    const paramsRange = g.locs?.params;
    if (w && paramsRange && touches(paramsRange, pos) && Object.prototype.hasOwnProperty.call(g.params ?? {}, w.word)
      && /^\s*:/.test((a.lines[w.range.end.line] ?? '').slice(w.range.end.character))) {
      param = { name: w.word, range: w.range };
    }
    for (const [key, range] of Object.entries(g.locs ?? {})) {
      if (!param && key.startsWith('params.') && touches(range, pos)) param = { name: key.slice('params.'.length), range };
    }
    if (param) {
      const value = plugin ? describeParam(plugin, param.name) : `**parameter** \`${param.name}\``;
      return { contents: { kind: 'markdown', value }, range: param.range };
    }
  }
  return null;
}

/** The properties of a plugin's parameter schema. */
export function schemaProperties(plugin: PluginManifest): Record<string, Record<string, unknown>> {
  const props = (plugin.paramsSchema as { properties?: unknown }).properties;
  return props && typeof props === 'object' ? (props as Record<string, Record<string, unknown>>) : {};
}

/** Markdown for a gate plugin: description and a parameter list. */
export function describePlugin(plugin: PluginManifest): string {
  const lines = [`**gate type** \`${plugin.name}\` (v${plugin.version})`, '', plugin.description];
  const props = schemaProperties(plugin);
  const names = Object.keys(props);
  if (names.length) {
    lines.push('', 'Parameters:');
    for (const name of names) lines.push(`- ${paramLine(name, props[name]!, plugin)}`);
  }
  return lines.join('\n');
}

/** Markdown for one parameter of a plugin. */
export function describeParam(plugin: PluginManifest, param: string): string {
  const schema = schemaProperties(plugin)[param];
  if (!schema) return `**parameter** \`${param}\` — not a parameter of \`${plugin.name}\`.`;
  return `**parameter** ${paramLine(param, schema, plugin)}`;
}

function paramLine(name: string, schema: Record<string, unknown>, plugin: PluginManifest): string {
  const required = Array.isArray((plugin.paramsSchema as { required?: unknown }).required) && ((plugin.paramsSchema as { required: string[] }).required).includes(name);
  const bits = [`\`${name}\``];
  if (typeof schema.type === 'string') bits.push(`(${schema.type}${required ? ', required' : ''})`);
  else if (required) bits.push('(required)');
  if (schema.default !== undefined) bits.push(`default \`${JSON.stringify(schema.default)}\``);
  let line = bits.join(' ');
  if (typeof schema.description === 'string') line += ` — ${schema.description}`;
  return line;
}
