/**
 * The exported page's script (the entry point esbuild bundles into mtl-web.js): loads the model, reads the
 * pasted text or the chosen file when Score is clicked, scores it and shows one table row per input record —
 * its scores, or its error naming the field. The element ids it uses are in the page (src/export/web-html.ts).
 *
 * Cells carry the exact score in `data-value` (the text shows 6 significant digits), so a user can copy the
 * full value and the tests compare it with `mtl predict`.
 */
import { loadWebModel, type WebModel, type WebModelFiles } from './web-runtime.js';
import { InputError, parseInput, type ParsedInput } from './web-input.js';
import type { ScoreResult } from '../serve/score.js';

/** The element with id `id` (the page always has it). */
function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no element #${id}`);
  return e as T;
}

/** A new element with text. */
function cell(tag: string, text: string, attrs: Record<string, string> = {}): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** Show a message in the status line; `error` styles it as one. */
function status(text: string, error = false): void {
  const s = el('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
}

/**
 * The scoring core words row messages as `mtl serve` answers them ("request row 0, column 'price': …",
 * 0-based within the records it was given); the page numbers rows from 1 as its table does, with the line.
 */
function renumber(message: string, scoredRow: number, index: number, line: number | undefined): string {
  const prefix = `request row ${scoredRow}`;
  if (!message.startsWith(prefix)) return message;
  return `row ${index + 1}${line ? ` (line ${line})` : ''}${message.slice(prefix.length)}`;
}

/** Render the table: one row per record, the scores or the record's error (field and message). */
function render(model: WebModel, input: ParsedInput, result: ScoreResult, scoredIndex: number[]): void {
  const table = el<HTMLTableElement>('results');
  table.replaceChildren();
  const head = document.createElement('tr');
  head.append(cell('th', '#'), ...model.outputs.map((o) => cell('th', o)), cell('th', 'error'));
  table.append(head);
  const errors = new Map<number, { field?: string; message: string }>();
  for (const p of input.problems) errors.set(p.index, { message: p.message });
  for (const e of result.errors) {
    const i = scoredIndex[e.row]!;
    errors.set(i, { ...(e.field !== undefined ? { field: e.field } : {}), message: renumber(e.message, e.row, i, input.lines[i]) });
  }
  const scores = new Map<number, Record<string, number | null>>();
  result.predictions.forEach((p, i) => p && scores.set(scoredIndex[i]!, p));
  input.records.forEach((_, i) => {
    const tr = document.createElement('tr');
    tr.dataset.row = String(i + 1);
    tr.append(cell('td', String(i + 1), input.lines[i] ? { title: `line ${input.lines[i]}` } : {}));
    const p = scores.get(i);
    for (const o of model.outputs) {
      const v = p?.[o];
      tr.append(typeof v === 'number' ? cell('td', v.toPrecision(6), { 'data-output': o, 'data-value': String(v) }) : cell('td', '', { 'data-output': o }));
    }
    const err = errors.get(i);
    if (err) {
      tr.className = 'bad';
      // The message names the column already; the field is also an attribute for scripts reading the table.
      tr.append(cell('td', err.message, { class: 'error', ...(err.field !== undefined ? { 'data-field': err.field } : {}) }));
    } else tr.append(cell('td', ''));
    table.append(tr);
  });
  const bad = errors.size;
  el('summary').textContent = `${input.records.length - bad} of ${input.records.length} rows scored (${input.format})${bad ? `, ${bad} with errors` : ''}.`;
}

/** Score the input text (the pasted text, or the chosen file's). */
function scoreText(model: WebModel, text: string, fileName: string | undefined): void {
  let input: ParsedInput;
  try {
    input = parseInput(text, fileName);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    el('results').replaceChildren();
    el('summary').textContent = '';
    return status(`${fileName ?? 'The input'}: ${e.message}`, true);
  }
  // Records that could not be read are not sent; the scorer numbers the others from 0, mapped back here.
  const scoredIndex = input.records.flatMap((r, i) => (r === undefined ? [] : [i]));
  const result = model.score(scoredIndex.map((i) => input.records[i]));
  render(model, input, result, scoredIndex);
  status(`Scored with model '${model.name}' on the ${model.backend} backend.`);
}

/** Wire the page: load the model, then score on each click of Score. */
async function main(): Promise<void> {
  if (location.protocol === 'file:') {
    return status('This page must be served over HTTP (a browser does not let a page opened from a file load its model): see README.txt, e.g. `python3 -m http.server` in this folder.', true);
  }
  const files = JSON.parse(el('mtl-files').textContent ?? '{}') as WebModelFiles;
  status('Loading the model…');
  let model: WebModel;
  try {
    // `?backend=cpu` scores on tfjs's cpu backend (as `mtl predict --backend cpu`); wasm otherwise.
    const backend = new URLSearchParams(location.search).get('backend') === 'cpu' ? 'cpu' : 'wasm';
    model = await loadWebModel(new URL('./', location.href), files, backend);
  } catch (e) {
    return status(`The model did not load: ${(e as Error).message}`, true);
  }
  const input = el<HTMLTextAreaElement>('input');
  const file = el<HTMLInputElement>('file');
  let fileName: string | undefined;
  // A chosen file's text goes into the text box, so what is scored is always what is shown.
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    void f.text().then((t) => {
      input.value = t;
      fileName = f.name;
      status(`Read ${f.name} (${f.size.toLocaleString('en-US')} bytes). Click Score.`);
    });
  });
  input.addEventListener('input', () => void (fileName = undefined));
  const button = el<HTMLButtonElement>('score');
  button.addEventListener('click', () => {
    try {
      scoreText(model, input.value, fileName);
    } catch (e) {
      status(`Scoring failed: ${(e as Error).message}`, true);
    }
  });
  button.disabled = false;
  status(`Model '${model.name}' is ready (${model.backend} backend; outputs ${model.outputs.join(', ')}). Paste rows or choose a file, then click Score.`);
  document.body.dataset.ready = 'true';
}

void main();
