/**
 * The CLI's safety net for file-system failures that no command turned into a diagnostic (src/cli/main.ts
 * reportFailure): a full disk or a read-only directory is the user's environment, so exit 1 with MTL5308
 * naming the file, never "internal error" with exit 3.
 */
import { describe, expect, it } from 'vitest';
import { reportFailure } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

/** An io capturing stderr. */
function capture(): { io: CliIo; err: () => string } {
  let err = '';
  return { io: { stdout: () => undefined, stderr: (t) => void (err += t), isTTY: false, cwd: '/' }, err: () => err };
}

/** An errno exception as Node's fs functions throw it. */
function errno(code: string, syscall: string, file: string, text: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${file}'`), { code, syscall, path: file, errno: -28 });
}

describe('reportFailure', () => {
  it.each([
    ['ENOSPC', 'write', 'no space left on device'],
    ['EACCES', 'open', 'permission denied'],
    ['EROFS', 'open', 'read-only file system'],
    ['EISDIR', 'open', 'illegal operation on a directory'],
    ['ENOTDIR', 'mkdir', 'not a directory'],
  ])('%s from a file write: exit 1 with MTL5308 naming the file', (code, syscall, text) => {
    const { io, err } = capture();
    expect(reportFailure(errno(code, syscall, '/data/out.csv', text), io)).toBe(1);
    expect(err()).toContain(`error MTL5308: Cannot write '/data/out.csv': ${code}: ${text}, ${syscall} '/data/out.csv'.`);
    expect(err()).not.toContain('internal error');
  });

  it('any other exception is still reported as a bug (exit 3)', () => {
    const { io, err } = capture();
    expect(reportFailure(new TypeError('x is undefined'), io)).toBe(3);
    expect(err()).toContain('mtl: internal error: x is undefined');
  });
});
