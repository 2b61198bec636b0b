/**
 * The check that a data or vocabulary path is a regular file, made before opening it. Opening a FIFO
 * blocks until a writer appears (in a thread Node cannot interrupt, so not even a second Ctrl-C ends the
 * process), a character device such as /dev/zero never ends, and a directory cannot be read: each is
 * refused up front with what the path is. Data is read once per pass, so a stream could not work anyway.
 */
import { promises as fsp, type Stats } from 'node:fs';

/** What a non-regular file is, in words ("a named pipe (FIFO)"); undefined for a regular file. */
export function nonRegularKind(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/**
 * Undefined when `file` is a regular file (or a symbolic link to one); else what it is, e.g.
 * "a named pipe (FIFO)" or "a symbolic link to a character device". Errors of stat (ENOENT, EACCES)
 * propagate: the caller reports them as it reports failing to open.
 */
export async function notRegularFile(file: string): Promise<string | undefined> {
  const kind = nonRegularKind(await fsp.stat(file));
  if (kind === undefined) return undefined;
  const link = (await fsp.lstat(file)).isSymbolicLink();
  return link ? `a symbolic link to ${kind}` : kind;
}
