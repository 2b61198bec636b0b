/**
 * The editor's workspace trust, as the language server applies it to `use` plugins: their code runs only
 * for a saved document (a file: URI) inside one of the workspace folders, and only after the client said
 * the workspace is trusted (`initializationOptions.trusted === true`, or an `mtl/trust` notification
 * `{ trusted: boolean }`, which VS Code's extension sends when the user grants trust) — or, whatever the
 * client says, for a saved document inside a folder the user trusts in their own configuration, as the CLI
 * does (MTL_TRUSTED_FOLDERS, ~/.config/mtl/trusted.json: src/plugins/trust.ts), for editors without a
 * workspace-trust model (Neovim, Helix, Emacs). Otherwise plugins are checked from their manifests and
 * nothing runs.
 */
import * as path from 'node:path';
import { uriToPath } from './documents.js';
import { isInside, isTrustedFolder, realPath, type PluginTrust } from '../plugins/trust.js';

/** How a user of the editor trusts a spec, ending the hints of refusals. */
export const EDITOR_CONSENT = "trust the workspace (in VS Code: 'Manage Workspace Trust'), with the spec inside a workspace folder";

/** The client's trust decision and the workspace folders it applies to. */
export class WorkspaceTrust {
  private folderUris = new Set<string>();
  private folders: string[] = [];
  /** Whether the client said the workspace is trusted. */
  trusted = false;

  /** Set the workspace folders from initialize's `workspaceFolders` (or the older `rootUri`). */
  setFolders(uris: readonly string[]): void {
    this.folderUris = new Set(uris);
    this.folders = [...this.folderUris].flatMap((uri) => {
      const p = uriToPath(uri);
      return p ? [realPath(p)] : [];
    });
  }

  /** Apply a `workspace/didChangeWorkspaceFolders` event. */
  changeFolders(added: readonly string[], removed: readonly string[]): void {
    const next = new Set(this.folderUris);
    for (const uri of removed) next.delete(uri);
    for (const uri of added) next.add(uri);
    this.setFolders([...next]);
  }

  /** How far the check of the document `uri` may go with its plugins. */
  trustOf(uri: string): PluginTrust {
    const file = uriToPath(uri);
    if (!file) return 'manifest';
    // The user's own list (read on every check, so an edit of trusted.json applies without a restart).
    if (isTrustedFolder(path.dirname(file))) return 'any';
    if (!this.trusted) return 'manifest';
    const real = path.join(realPath(path.dirname(file)), path.basename(file));
    return this.folders.some((f) => isInside(real, f)) ? 'any' : 'manifest';
  }
}
