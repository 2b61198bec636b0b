/**
 * The CLI's side of plugin trust: a spec is trusted when the user passes --trust-plugins or its folder is
 * in the user's trusted folders; otherwise the command's own default applies (`manifest` for the read-only
 * commands, `project` for train). See docs/plugins.md, "Trust and security".
 */
import * as path from 'node:path';
import { isTrustedFolder, type PluginTrust } from '../plugins/trust.js';

/** The --trust-plugins option, for a command's option table. */
export const TRUST_OPTION = { 'trust-plugins': { type: 'boolean' } } as const;

/** How far the command may go with the plugins of `specFile`. */
export function pluginTrust(values: Record<string, unknown>, specFile: string, fallback: Exclude<PluginTrust, 'any'>): PluginTrust {
  return values['trust-plugins'] === true || isTrustedFolder(path.dirname(specFile)) ? 'any' : fallback;
}
