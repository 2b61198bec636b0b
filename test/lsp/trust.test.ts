/**
 * The language server and plugin code, over stdio with a real client: a spec's `use "./evil.js"` (which
 * writes a marker file when imported) is checked from its manifest and never run in an untrusted
 * workspace, for an untitled document, or for a file outside the workspace folders; it runs once the
 * client says the workspace is trusted (at initialize, or later with `mtl/trust`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, startClient, type LspClient } from './harness.js';
import { tempDir } from '../cli/helpers.js';
import { hostileSpec, writeEvil } from '../plugins/hostile.js';

const tmp = tempDir('mtl-lsp-trust-');
afterAll(() => tmp.cleanup());


/** A project folder `name` with package.json, evil.js (writing `MARKER` in it when imported) and its manifest. */
function project(name: string): { dir: string; marker: string; evil: string; uri: (file: string) => string } {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  const marker = path.join(dir, 'MARKER');
  const evil = path.join(dir, 'evil.js');
  writeEvil(evil, marker);
  return { dir, marker, evil, uri: (file) => pathToFileURL(path.join(dir, file)).toString() };
}

/** A spec whose gate uses evil-gate from `source` over one expert (the plugin's own check warns about that). */
const spec = (source: string, params = 'dim: 4'): string => hostileSpec(source, params, 1);

type Diag = { code?: string; message: string; severity?: number };
const codes = (ds: unknown[]): string[] => (ds as Diag[]).map((d) => String(d.code));

/** Send `notify`, then wait (at most 20 s) for diagnostics of `uri` published after it; returns them. */
async function republished(client: LspClient, uri: string, notify: () => Promise<void>): Promise<unknown[]> {
  const before = client.published.get(uri)?.length ?? 0;
  await notify();
  const deadline = Date.now() + 20_000;
  while ((client.published.get(uri)?.length ?? 0) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return client.published.get(uri)!.at(-1)!.diagnostics;
}

describe('the language server and plugin code', () => {
  it('in an untrusted workspace: checks gates from the manifest and runs nothing, for files and untitled documents', async () => {
    const p = project('untrusted');
    const client = await startClient({ debounceMs: 0 }, pathToFileURL(p.dir).toString());
    try {
      const ds = await client.open(p.uri('spec.mtl'), spec('./evil.js', 'dims: 4'));
      expect(codes(ds)).toContain('MTL4008');
      expect(codes(ds)).toContain('MTL4206');
      const untitled = await client.open('untitled:Untitled-1', spec(p.evil));
      expect(codes(untitled)).toContain('MTL4201');
    } finally {
      await client.stop();
    }
    expect(existsSync(p.marker)).toBe(false);
  });

  it('in a trusted workspace: runs the plugin of a saved spec inside it, never of an untitled document or a file outside it', async () => {
    const p = project('trusted');
    const other = project('elsewhere');
    writeFileSync(path.join(other.dir, 'spec.mtl'), spec('./evil.js'));
    const client = await startClient({ debounceMs: 0, trusted: true }, pathToFileURL(p.dir).toString());
    try {
      const untitled = await client.open('untitled:Untitled-1', spec(other.evil));
      expect(codes(untitled)).toContain('MTL4201');
      const outside = await client.open(other.uri('spec.mtl'), spec('./evil.js'));
      expect(codes(outside)).toContain('MTL4206');
      expect(existsSync(other.marker)).toBe(false);
      const inside = await client.open(p.uri('spec.mtl'), spec('./evil.js'));
      expect(codes(inside)).not.toContain('MTL4206');
      // The plugin's own check ran: it warns about a gate over a single expert.
      expect((inside as Diag[]).some((d) => d.message.includes('attends over a single expert'))).toBe(true);
      expect(existsSync(p.marker)).toBe(true);
    } finally {
      await client.stop();
    }
  });

  it('runs the plugin of a saved spec in a folder the user trusts (MTL_TRUSTED_FOLDERS), whatever the client says; nothing elsewhere', async () => {
    const p = project('user-trusted');
    const other = project('not-listed');
    const env = { ...process.env, MTL_TRUSTED_FOLDERS: p.dir, XDG_CONFIG_HOME: path.join(tmp.dir, 'no-config') };
    const server = { command: path.join(ROOT, 'node_modules/.bin/tsx'), args: [path.join(ROOT, 'src/lsp/main.ts'), '--stdio'], env };
    const client = await startClient({ debounceMs: 0 }, pathToFileURL(tmp.dir).toString(), {}, server);
    try {
      const outside = await client.open(other.uri('spec.mtl'), spec('./evil.js'));
      expect(codes(outside)).toContain('MTL4206');
      expect(existsSync(other.marker)).toBe(false);
      const inside = await client.open(p.uri('spec.mtl'), spec('./evil.js'));
      expect(codes(inside)).not.toContain('MTL4206');
      expect(existsSync(p.marker)).toBe(true);
    } finally {
      await client.stop();
    }
  });

  it('runs the plugin after an mtl/trust notification, re-checking the open documents', async () => {
    const p = project('granted');
    const client = await startClient({ debounceMs: 0 }, pathToFileURL(p.dir).toString());
    try {
      const uri = p.uri('spec.mtl');
      expect(codes(await client.open(uri, spec('./evil.js')))).toContain('MTL4206');
      expect(existsSync(p.marker)).toBe(false);
      const latest = await republished(client, uri, () => client.conn.sendNotification('mtl/trust', { trusted: true }));
      expect(codes(latest)).not.toContain('MTL4206');
      expect(existsSync(p.marker)).toBe(true);
    } finally {
      await client.stop();
    }
  });

  it('follows workspace folder changes: a folder added to a trusted workspace has its plugins run', async () => {
    const first = project('first');
    const added = project('added');
    const client = await startClient({ debounceMs: 0, trusted: true }, pathToFileURL(first.dir).toString(), { workspace: { workspaceFolders: true } });
    try {
      const uri = added.uri('spec.mtl');
      expect(codes(await client.open(uri, spec('./evil.js')))).toContain('MTL4206');
      expect(existsSync(added.marker)).toBe(false);
      const latest = await republished(client, uri, () => client.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
        event: { added: [{ uri: pathToFileURL(added.dir).toString(), name: 'added' }], removed: [] },
      }));
      expect(codes(latest)).not.toContain('MTL4206');
      expect(existsSync(added.marker)).toBe(true);
    } finally {
      await client.stop();
    }
  });
});
