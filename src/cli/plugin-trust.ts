/**
 * The CLI's side of plugin trust: a spec is trusted when the user passes --trust-plugins or its folder is
 * in the user's trusted folders; otherwise the command's own default applies (`manifest` for the read-only
 * commands, `project` for train). See docs/plugins.md, "Trust and security".
 */
import * as path from 'node:path';
import { isTrustedFolder, type PluginTrust } from '../plugins/trust.js';

/** The --trust-plugins option, for a command's option table. */
export const TRUST_OPTION = { 'trust-plugins': { type: 'boolean' } } as const;

/** How a CLI user trusts a spec: the end of the hints of refusals. */
export const CLI_CONSENT = 'pass --trust-plugins to trust this spec, or list its folder in MTL_TRUSTED_FOLDERS (docs/plugins.md)';

/** How far the command may go with the plugins of `specFile`, and how its user could go further (checkFile's options). */
export function pluginTrust(values: Record<string, unknown>, specFile: string, fallback: Exclude<PluginTrust, 'any'>): { trust: PluginTrust; consent: string } {
  const trusted = values['trust-plugins'] === true || isTrustedFolder(path.dirname(specFile));
  return { trust: trusted ? 'any' : fallback, consent: CLI_CONSENT };
}
