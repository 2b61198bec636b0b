/**
 * The data parsing rules of docs/data.md as a user meets them: `mtl train` / `mtl predict` on files that
 * break one rule each, run in-process. Every refusal exits 1 with the file, the row and the column (or the
 * file and what is wrong with it), prints no stack trace and writes nothing. Non-regular files (a FIFO,
 * /dev/zero) are in data-files.test.ts, which runs the real binary.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { hasStackTrace, tempDir } from '../cli/helpers.js';

const tmp = tempDir('mtl-e2e-data-rules-');
afterAll(() => tmp.cleanup());
const dir = tmp.dir;

/** A one-tower spec over user, price and click; `priceOptions` is appended to the price feature. */
function spec(name: string, priceOptions = ''): string {
  const file = path.join(dir, `${name}.mtl`);
  writeFileSync(
    file,
    `model rules
features {
  categorical user hash 50 dim 2
  numeric     price normalize log1p ${priceOptions}
}
labels { click: binary }
input all = concat(user, price)
tower ctr = mlp(4) on all -> sigmoid
task ctr = ctr loss bce(click)
train { batch 8 epochs 1 seed 3 valid_split 0 }
`,
  );
  return file;
}

/** 40 good rows `u{i},{price},{click}`; `edit` may replace rows (0-based data row i is file row i + 2). */
function rows(edit: (lines: string[]) => void = () => {}): string[] {
  const lines = Array.from({ length: 40 }, (_, i) => `u${i % 7},${(i * 3) % 11},${i % 3 === 0 ? 1 : 0}`);
  edit(lines);
  return lines;
}

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

let strict = '';
beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  strict = spec('strict');
});

/** Train on `data` and expect a refusal: exit 1, `message` on stderr, no stack trace, no model directory. */
async function refused(data: string, message: RegExp, specFile = strict): Promise<string> {
  const out = path.join(dir, `out-${path.basename(data)}`);
  const r = await runCli(['train', specFile, '--data', data, '--out', out], { cwd: dir });
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
  expect(existsSync(out), 'no model directory').toBe(false);
  return r.stderr;
}

describe('missing values: the default policy is `error`', () => {
  it.each(['', 'NA', 'NaN', 'null', '?', '  '])("price %j on row 7 stops the run, naming the file, row, column and the fix", async (token) => {
    const data = csv(`missing-${['', 'NA', 'NaN', 'null', '?', '  '].indexOf(token)}.csv`, ['user,price,click', ...rows((l) => (l[5] = `u1,${token},0`))].join('\n') + '\n');
    const name = path.basename(data).replace('.', '\\.');
    const err = await refused(data, new RegExp(`${name}:7:\\d+: error MTL5008: ${name} row 7, column 'price' has no value, and feature 'price' says \`missing error\``));
    expect(err).toMatch(/`missing error` is the default\. Fill the value, declare what a missing value means with `missing zero\|mean\|NUMBER` on feature 'price', or pass --skip-bad-rows/);
  });

  it('a feature that declares `missing zero` trains on the same file, and padded numbers are read', async () => {
    const data = csv('gaps.csv', ['user,price,click', ...rows((l) => ((l[5] = 'u1,,0'), (l[9] = 'u2, 12 ,1'), (l[11] = 'u3,\t4.5e0\t,0')))].join('\n') + '\n');
    const out = path.join(dir, 'out-gaps');
    const r = await runCli(['train', spec('zero', 'missing zero'), '--data', data, '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(out, 'preprocess.json'))).toBe(true);
    // The same file under the default policy is refused at the empty value, not at the padded ones.
    await refused(data, /gaps\.csv row 7, column 'price' has no value/);
  });

  it('an empty binary label is a located error', async () => {
    const data = csv('nolabel.csv', ['user,price,click', ...rows((l) => (l[3] = 'u1,2,'))].join('\n') + '\n');
    await refused(data, /nolabel\.csv:5:\d+: error MTL5010: nolabel\.csv row 5, column 'click' has no value for label 'click'/);
  });
});

describe('numbers are decimal only', () => {
  const NOT_DECIMAL = ['0x10', '0b1', '0o7', 'Infinity', '-Infinity', '1_000', '"1,000"', '1e', 'e5', '1e999', '12abc', '١٢'];
  it.each(NOT_DECIMAL)('price %s is "not a decimal number", located', async (value) => {
    const data = csv(`num-${NOT_DECIMAL.indexOf(value)}.csv`, ['user,price,click', ...rows((l) => (l[10] = `u1,${value},0`))].join('\n') + '\n');
    const name = path.basename(data).replace('.', '\\.');
    const shown = value.replace(/^"|"$/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await refused(data, new RegExp(`${name}:12:\\d+: error MTL5003: ${name} row 12, column 'price': '${shown}' is not a decimal number\\.`));
  });

  it('a binary label written in hex is not 1', async () => {
    const data = csv('hexlabel.csv', ['user,price,click', ...rows((l) => (l[2] = 'u1,2,0x1'))].join('\n') + '\n');
    await refused(data, /hexlabel\.csv row 4, column 'click': '0x1' is not a binary label/);
  });

  it('--skip-bad-rows skips such rows and says how many', async () => {
    const data = csv('skip.csv', ['user,price,click', ...rows((l) => ((l[4] = 'u1,0x10,0'), (l[8] = 'u1,,1')))].join('\n') + '\n');
    const out = path.join(dir, 'out-skip');
    const r = await runCli(['train', strict, '--data', data, '--out', out, '--skip-bad-rows'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning MTL5040: Skipped 2 bad rows of skip\.csv; first: MTL5003 skip\.csv row 6, column 'price': '0x10' is not a decimal number\./);
  });
});

describe('headers', () => {
  it('a duplicate column name is an error naming both positions', async () => {
    const data = csv('dup.csv', ['user,price,click,price', ...rows().map((l) => `${l},5`)].join('\n') + '\n');
    await refused(data, /dup\.csv:1:1: error MTL5050: dup\.csv has two columns named 'price' \(columns 2 and 4\)\./);
  });

  it('also when the spec does not use the repeated column; unnamed columns may repeat', async () => {
    const data = csv('dup-unused.csv', ['user,price,click,note,note', ...rows().map((l) => `${l},a,b`)].join('\n') + '\n');
    await refused(data, /dup-unused\.csv has two columns named 'note' \(columns 4 and 5\)/);
    const ok = csv('unnamed.csv', ['user,price,click,,', ...rows().map((l) => `${l},,`)].join('\n') + '\n');
    const r = await runCli(['train', strict, '--data', ok, '--out', path.join(dir, 'out-unnamed')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('a JSON Lines object that repeats a key is a located error, not its last value', async () => {
    const lines = rows().map((l) => {
      const [user, price, click] = l.split(',');
      return JSON.stringify({ user, price: Number(price), click: Number(click) });
    });
    lines[6] = '{"user": "u1", "price": 1, "click": 0, "price": 9}';
    const data = csv('dup.jsonl', lines.join('\n') + '\n');
    await refused(data, /dup\.jsonl:7:1: error MTL5052: dup\.jsonl row 7 has the key 'price' twice\./);
  });
});

describe('messages never print file contents', () => {
  it('a file that is not a table: the missing-column hint gives a field count, not its first line', async () => {
    const secret = 'root:x:0:0:root:/root:/bin/bash';
    const data = csv('passwd', `${secret}\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n`);
    const err = await refused(data, /passwd has no column 'user' \(needed by feature 'user'\)/);
    expect(err).toMatch(/Its first line does not look like a header of named columns \(1 field\)/);
    expect(err).not.toMatch(/root|daemon|bash/);
  });

  it('a header of plausible names is listed, with a did-you-mean', async () => {
    const data = csv('prize.csv', ['user,prize,click', ...rows()].join('\n') + '\n');
    const err = await refused(data, /prize\.csv has no column 'price'/);
    expect(err).toMatch(/Did you mean 'prize'\? Its columns are: user, prize, click\./);
  });

  it('a long value with control characters is cut at 40 characters and escaped', async () => {
    const junk = `\x1b[31m${'A'.repeat(200)}`;
    const data = csv('junk.csv', ['user,price,click', ...rows((l) => (l[0] = `u1,${junk},0`))].join('\n') + '\n');
    const err = await refused(data, /junk\.csv row 2, column 'price': '\\x1b\[31mA{34}…' is not a decimal number\./);
    expect(err).not.toContain('\x1b');
    expect(err).not.toContain('A'.repeat(35));
  });
});

describe('mtl predict reads with the same rules', () => {
  it('a hex value stops predict before any output is written', async () => {
    const model = path.join(dir, 'model');
    const train = csv('train.csv', ['user,price,click', ...rows()].join('\n') + '\n');
    const t = await runCli(['train', strict, '--data', train, '--out', model], { cwd: dir });
    expect(t.code, t.stderr).toBe(0);
    const data = csv('score.csv', ['user,price', ...rows((l) => (l[3] = 'u1,0x1f,0')).map((l) => l.split(',').slice(0, 2).join(','))].join('\n') + '\n');
    const out = path.join(dir, 'scores.csv');
    const r = await runCli(['predict', model, '--data', data, '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/score\.csv row 5, column 'price': '0x1f' is not a decimal number\./);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });
});
