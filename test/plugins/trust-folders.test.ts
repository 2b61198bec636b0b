/**
 * The pieces of the trust rules: a spec's project root, and the user's trusted folders from
 * MTL_TRUSTED_FOLDERS and $XDG_CONFIG_HOME/mtl/trusted.json.
 */
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTrustedFolder, projectRoot, trustedFolders, trustedFoldersFile } from '../../src/plugins/trust.js';
import { tempDir } from '../cli/helpers.js';

const tmp = tempDir('mtl-trust-folders-');
afterAll(() => tmp.cleanup());
const root = realpathSync(tmp.dir);
const at = (...p: string[]): string => path.join(root, ...p);

describe('projectRoot', () => {
  it('is the nearest folder with a package.json or a .git, else the spec folder itself', () => {
    mkdirSync(at('pkg', 'specs', 'deep'), { recursive: true });
    writeFileSync(at('pkg', 'package.json'), '{}');
    mkdirSync(at('repo', '.git'), { recursive: true });
    mkdirSync(at('repo', 'models'), { recursive: true });
    mkdirSync(at('loose', 'specs'), { recursive: true });
    expect(projectRoot(at('pkg', 'specs', 'deep'))).toBe(at('pkg'));
    expect(projectRoot(at('repo', 'models'))).toBe(at('repo'));
    expect(projectRoot(at('loose', 'specs'))).toBe(at('loose', 'specs'));
  });
});

describe('trusted folders', () => {
  it('come from MTL_TRUSTED_FOLDERS and the config file; relative entries are ignored, symlinks resolved', () => {
    mkdirSync(at('config', 'mtl'), { recursive: true });
    mkdirSync(at('work', 'models'), { recursive: true });
    mkdirSync(at('other'), { recursive: true });
    symlinkSync(at('work'), at('work-link'));
    const env = { XDG_CONFIG_HOME: at('config'), MTL_TRUSTED_FOLDERS: [at('other'), 'relative/dir', ''].join(path.delimiter) };
    expect(trustedFoldersFile(env)).toBe(at('config', 'mtl', 'trusted.json'));
    writeFileSync(trustedFoldersFile(env), JSON.stringify({ folders: [at('work-link'), 'also/relative', 7] }));
    expect(trustedFolders(env)).toEqual([at('other'), at('work')]);
    expect(isTrustedFolder(at('work', 'models'), env)).toBe(true);
    expect(isTrustedFolder(at('work-link', 'models'), env)).toBe(true);
    expect(isTrustedFolder(at('pkg'), env)).toBe(false);
    expect(isTrustedFolder(at('other-not'), env)).toBe(false);
  });

  it('trust nothing from a malformed config file', () => {
    mkdirSync(at('bad-config', 'mtl'), { recursive: true });
    writeFileSync(at('bad-config', 'mtl', 'trusted.json'), '{"folders": [');
    expect(trustedFolders({ XDG_CONFIG_HOME: at('bad-config') })).toEqual([]);
  });
});
