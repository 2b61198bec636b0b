/**
 * The terminal rendering of a {@link Comparison}: aligned tables of the runs, the settings, the seed groups
 * and the tests, numbers to 4 decimals.
 */
import type { Comparison, GroupStat, GroupTest } from './types.js';

/** A number to 4 decimals; `n/a` for null, blank when absent. */
export function fmt4(v: number | null | undefined): string {
  return v === undefined ? '' : v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(4);
}

/** A signed number to 4 decimals (differences read better with their sign). */
function signed4(v: number): string {
  return (v >= 0 ? '+' : '') + v.toFixed(4);
}

/** A group's `mean ± sd (n=N)`; `-` for the sd of a single run. */
export function formatGroupStat(s: GroupStat): string {
  return s.mean === null ? 'n/a' : `${s.mean.toFixed(4)} ± ${s.sd === null ? '-' : s.sd.toFixed(4)} (n=${s.n})`;
}

/** A p-value: 4 decimals, or `<0.0001`. */
export function formatP(p: number | null): string {
  return p === null ? 'n/a' : p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

/** Rows as aligned columns, two spaces apart, indented by two; `right[i]` right-aligns column i (numbers). */
function align(rows: string[][], right: boolean[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The runs table: final metrics (best marked `*`), best epoch / epochs run, and the settings that differ. */
function runsTable(c: Comparison): string {
  const header = ['run', ...c.metrics, 'best/epochs', ...c.differing];
  const rows = c.runs.map((r, i) => [
    r.label,
    // Every cell gets a trailing mark or a space, so the decimals stay aligned.
    ...c.metrics.map((m) => fmt4(r.final[m]) + (c.best[m]!.includes(i) ? '*' : ' ')),
    `${r.bestEpoch ?? '-'}/${r.epochsRun}`,
    ...c.differing.map((s) => r.settings[s]),
  ]);
  const right = header.map((_, i) => i > 0 && i <= c.metrics.length + 1);
  const keysOf = (dir: 'max' | 'min'): string => [...new Set(c.metrics.filter((m) => c.direction[m] === dir).map((m) => m.slice(m.indexOf('.') + 1)))].join(', ');
  const rules = [keysOf('max') && `higher is better for ${keysOf('max')}`, keysOf('min') && `lower for ${keysOf('min')}`].filter(Boolean);
  const legend = c.metrics.length ? `  * best in its column (${rules.join('; ')})\n` : '  (no validation metrics were recorded)\n';
  return align([header, ...rows], right) + legend;
}

/** "Differ: lr, seed" and "Same: spec tiny, optimizer adam, …". */
function settingsLines(c: Comparison): string {
  const same = Object.entries(c.same).map(([k, v]) => `${k} ${v}`);
  const arch = c.differing.includes('architecture') ? ' (architecture differs)' : '';
  return `Settings that differ: ${c.differing.length ? c.differing.join(', ') + arch : 'none'}\nSame in every run: ${same.length ? same.join('; ') : 'nothing'}\n`;
}

/** The seed groups and each metric's mean ± sd per group. */
function groupsSection(c: Comparison): string {
  if (!c.groups.some((g) => g.runs.length >= 2)) return '';
  const list = align(
    [['group', 'settings', 'n', 'seeds', 'runs'], ...c.groups.map((g) => [g.id, g.label, String(g.runs.length), g.seeds.join(', '), g.runs.map((i) => c.runs[i]!.label).join(', ')])],
    [false, false, true, false, false],
  );
  const table = align([['metric', ...c.groups.map((g) => g.id)], ...c.metrics.map((m) => [m, ...c.groups.map((g) => formatGroupStat(g.stats[m]!))])], [false, ...c.groups.map(() => true)]);
  return `\nSeed groups (runs identical except for the seed): mean ± sd\n${list}\n${table}`;
}

/** The tests, one row per metric and pair of groups. */
function testsSection(c: Comparison): string {
  if (!c.tests.length) return '';
  const n = (t: GroupTest): string => (Array.isArray(t.n) ? `${t.n[0]}+${t.n[1]}` : String(t.n));
  const ci = (t: GroupTest): string => (t.ci95 ? `[${signed4(t.ci95[0])}, ${signed4(t.ci95[1])}]` : 'n/a');
  const rows = c.tests.map((t) => [t.metric, `${t.a} − ${t.b}`, t.test + (t.pairedSeeds ? ` (seeds ${t.pairedSeeds.join(', ')})` : ''), n(t), signed4(t.meanDiff), ci(t), formatP(t.p)]);
  return `\nTests of the difference between groups (two-sided; 95% CI of the mean difference)\n${align([['metric', 'groups', 'test', 'n', 'mean diff', '95% CI', 'p'], ...rows], [false, false, false, true, true, false, true])}`;
}

/** The whole terminal report. */
export function renderComparisonText(c: Comparison): string {
  const notes = c.notes.length ? '\n' + c.notes.map((n) => `Note: ${n}\n`).join('') : '';
  return `${c.runs.length} runs\n${runsTable(c)}\n${settingsLines(c)}${groupsSection(c)}${testsSection(c)}${notes}`;
}
