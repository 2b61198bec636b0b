/**
 * What a training report shows, gathered from a model directory (collect.ts) and rendered to one HTML
 * page (page.ts). Kept as plain data so that rendering is a pure function and easy to test.
 */
import type { ModelIR } from '../ir/types.js';
import type { MetricsFile } from '../artifact/run-record.js';

/** Measured gate usage: each gate's mean expert weights over `rows` rows of `source`. */
export interface GateUsage {
  weights: Record<string, number[]>;
  rows: number;
  /** The data the weights were measured on, for the page's caption. */
  source: string;
}

/** Everything the report page needs. */
export interface ReportData {
  ir: ModelIR;
  metrics: MetricsFile;
  /** Gate usage, when it was measured. */
  gates?: GateUsage;
  /** Why there is no gate usage (no gates, data not found, ...). */
  gatesNote?: string;
  /** The architecture diagram (an `<svg>` document), when it could be drawn. */
  diagramSvg?: string;
  /** The model directory, shown in the header. */
  dir: string;
  /** When the page was made (ISO date-time); fixed in tests. */
  generatedAt: string;
}
