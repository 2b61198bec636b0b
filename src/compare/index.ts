/**
 * `mtl compare` as a library: read trained runs, compare their final metrics and settings, test
 * differences across seeds, and render the result as text, JSON or an HTML page.
 */
export { findRuns, type FoundRun } from './find-runs.js';
export { buildComparison, metricColumns, metricDirection } from './comparison.js';
export { renderComparisonText } from './text.js';
export { renderComparisonHtml, compareCurveSpecs } from './page.js';
export { architectureHash, SETTING_NAMES, type SettingName, type RunSettings } from './settings.js';
export { pairedTTest, welchTTest, studentTCdf, studentTQuantile, twoSidedP, type TTestResult } from './stats.js';
export type { Comparison, ComparedRun, SeedGroup, GroupTest, GroupStat } from './types.js';
