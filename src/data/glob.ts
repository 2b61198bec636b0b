/**
 * Data paths with wildcards (docs/data.md "Several files"): `*` and `?` within one folder name, `[abc]` /
 * `[!abc]` character classes, `**` for any number of folders, `{a,b}` alternatives. mtl expands them itself
 * (so a quoted `--data 'parts/*.parquet'` and a pattern in the spec's data block mean the same on every
 * shell and platform), to regular files only, sorted by path in code-unit order: the same files in the
 * same order on every machine, which the train/validation split and the shuffle depend on.
 * Like a shell, a wildcard does not match a leading `.` (hidden files and folders).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

const WILDCARD = /[*?[{]/;

/** True when `p` has a wildcard character (`*`, `?`, `[`, `{`). */
export function hasWildcard(p: string): boolean {
  return WILDCARD.test(p);
}

/** `{a,b}` alternatives expanded (nested braces too); a brace without a matching close stays as it is. */
export function expandBraces(p: string): string[] {
  const open = p.indexOf('{');
  if (open === -1) return [p];
  let depth = 0;
  const cuts: number[] = [];
  let close = -1;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) cuts.push(i);
  }
  if (close === -1) return [p];
  const head = p.slice(0, open);
  const tail = p.slice(close + 1);
  const bounds = [open, ...cuts, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    for (const alt of expandBraces(p.slice(bounds[k]! + 1, bounds[k + 1]!))) out.push(...expandBraces(head + alt + tail));
  }
  return out;
}

/** One path segment's pattern as an anchored regular expression. */
function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = seg.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

async function isDir(p: string): Promise<boolean> {
  return fsp.stat(p).then((s) => s.isDirectory(), () => false);
}

async function isFile(p: string): Promise<boolean> {
  return fsp.stat(p).then((s) => s.isFile(), () => false);
}

async function entries(dir: string): Promise<string[]> {
  return fsp.readdir(dir).catch(() => [] as string[]);
}

/** Paths under `dir` matching the remaining segments `segs`, into `out`. */
async function walk(dir: string, segs: string[], out: Set<string>): Promise<void> {
  if (segs.length === 0) {
    if (await isFile(dir)) out.add(dir);
    return;
  }
  const [seg, ...rest] = segs as [string, ...string[]];
  if (seg === '**') {
    await walk(dir, rest, out); // zero folders
    for (const e of await entries(dir)) {
      const p = path.join(dir, e);
      if (!e.startsWith('.') && (await isDir(p))) await walk(p, segs, out);
    }
    return;
  }
  if (!hasWildcard(seg)) return walk(path.join(dir, seg), rest, out);
  const re = segmentRegExp(seg);
  for (const e of await entries(dir)) {
    if (e.startsWith('.') && !seg.startsWith('.')) continue;
    if (re.test(e)) await walk(path.join(dir, e), rest, out);
  }
}

/**
 * The files a data path names: itself when it has no wildcard or names an existing file (even one with `[`
 * or `{` in its name), else the regular files it matches, sorted (empty when none).
 */
export async function dataPathFiles(p: string): Promise<string[]> {
  if (!hasWildcard(p) || (await fsp.stat(p).then(() => true, () => false))) return [p];
  return expandGlob(p);
}

/** The regular files an absolute `pattern` matches, sorted by path (code-unit order). Empty when none. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const out = new Set<string>();
  for (const p of expandBraces(pattern)) {
    const root = path.parse(p).root;
    const segs = p.slice(root.length).split(/[\\/]+/).filter((s) => s.length > 0);
    await walk(root, segs, out);
  }
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
