/**
 * The texts of a web export: index.html (the page whose script is the bundled runtime, web-page.ts) and
 * README.txt (how to serve the folder). The page loads nothing from another origin: no CDN, no fonts.
 */
import type { WebModelFiles } from './web-runtime.js';

/** What the texts name. */
export interface WebTexts {
  /** The spec's model name. */
  model: string;
  /** Output names, in model order. */
  outputs: readonly string[];
  /** Input columns the page expects (the columns a data file for `mtl predict` needs). */
  columns: readonly string[];
  /** The bundle's file name. */
  bundle: string;
  /** Where the runtime finds the model files. */
  files: WebModelFiles;
  /** The mtl version that exported it. */
  version: string;
}

/** Escape text for HTML element content and attribute values. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script> element: `<` escaped so no value can close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c');
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#222}
textarea{width:100%;height:12em;font:13px ui-monospace,monospace;box-sizing:border-box}
.bar{display:flex;gap:1em;align-items:center;margin:.5em 0}
button{font-size:15px;padding:.3em 1.5em}
#status.error{color:#b00020;font-weight:600}
table{border-collapse:collapse;margin-top:1em}
th,td{border:1px solid #ccc;padding:.2em .6em;text-align:right;font-variant-numeric:tabular-nums}
td.error{text-align:left;color:#b00020}
tr.bad td{background:#fff3f3}
code{background:#f3f3f3;padding:0 .2em}`;

/** The page: a text box, a file chooser, the Score button, the status line and the results table. */
export function webIndexHtml(t: WebTexts): string {
  const example = t.columns.join(',');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="generator" content="mtl ${esc(t.version)} (mtl export --format web)">
<title>${esc(t.model)}: score rows</title>
<style>${STYLE}</style>
</head>
<body data-ready="false">
<h1>${esc(t.model)}</h1>
<p>Paste rows as CSV (a header line, then one row per line), JSON Lines or a JSON array of objects, or choose a
file; then click <b>Score</b>. Columns: <code>${esc(example)}</code>. Outputs: ${t.outputs.map((o) => `<code>${esc(o)}</code>`).join(', ')}.
Scoring runs in this page; nothing is sent anywhere.</p>
<label for="input">Rows</label>
<textarea id="input" spellcheck="false" placeholder="${esc(example)}"></textarea>
<div class="bar">
<label for="file">or a file:</label> <input type="file" id="file" accept=".csv,.tsv,.tab,.json,.jsonl,.ndjson,text/csv,application/json">
<button id="score" disabled>Score</button>
</div>
<p id="status">Loading…</p>
<p id="summary"></p>
<table id="results"></table>
<script type="application/json" id="mtl-files">${scriptJson(t.files)}</script>
<script src="${esc(t.bundle)}"></script>
</body>
</html>
`;
}

/** README.txt: what the folder is and how to serve it. */
export function webReadme(t: WebTexts): string {
  return `${t.model}: a static page that scores rows with this model in the browser
(written by mtl ${t.version}: mtl export --format web).

Serve this folder with any static HTTP server and open its index.html, e.g.

  python3 -m http.server 8000        (in this folder; then open http://127.0.0.1:8000/)
  npx http-server -p 8000

or copy the folder to any static host (nginx, GitHub Pages, an S3 bucket). No server code runs and nothing
is loaded from elsewhere: the page works offline. Opening index.html directly from disk (file://) does not
work: browsers do not let such a page load its model files; the page says so.

Paste rows (CSV with a header line, JSON Lines, or a JSON array of objects) or choose a file, then click
Score. Columns: ${t.columns.join(', ')}. Outputs: ${t.outputs.join(', ')}.
A row with a bad value shows its error, naming the column; the other rows are scored.

The scores are those of \`mtl predict\` on the same rows: the page runs the same preprocessing and the saved
model on TensorFlow.js's wasm backend (the cpu backend where wasm cannot start, or with index.html?backend=cpu;
the page says which).

Files:
  index.html          the page
  ${t.bundle.padEnd(20)}the scoring runtime (TensorFlow.js and mtl's scoring code, bundled)
  *.wasm              TensorFlow.js's wasm backend
  ${t.files.model.replace(/[^/]*$/, '').padEnd(20)}the model: model.json + weights.bin (TensorFlow.js layers format), ir.json,
                      preprocess.json, vocabs.json
  mtl-artifact.json   SHA-256 of every file (check with sha256sum; mtl export refuses to overwrite a
                      folder holding files it did not write unless --force is given)
`;
}
