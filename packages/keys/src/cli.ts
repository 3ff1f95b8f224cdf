#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_NAMES } from './apps';
import { KeysError } from './errors';
import { findKeyFolderProblem } from './folders';
import { generateKeySet } from './generate';
import { KEY_FILE_NAME, writeKeyFolders } from './keyset';
import { DEFAULT_MODE, MODES, MODE_NAMES, getMode } from './modes';

const USAGE = `usage: keys generate [--mode <${MODE_NAMES.join('|')}>] --out <dir> [--keep-valid]
       keys modes

generate      writes one folder per app under <dir>, holding only that app's keys (mode 0600)
--keep-valid  keeps the keys already there when every app can load them for the mode
modes         prints who holds which key in each mode`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'modes') {
    process.stdout.write(`${describeModes()}\n`);
    return 0;
  }
  if (command !== 'generate') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { mode: { type: 'string', default: DEFAULT_MODE }, out: { type: 'string' }, 'keep-valid': { type: 'boolean', default: false } },
  });
  if (!values.out) {
    process.stderr.write(`keys: --out is required\n${USAGE}\n`);
    return 2;
  }
  const mode = getMode(values.mode, '--mode');
  const out = resolve(values.out);
  if (values['keep-valid']) {
    // Running apps hold their keys in memory: replacing valid keys would split a running stack.
    const problem = await findKeyFolderProblem(out, mode.name);
    if (problem === undefined) {
      process.stdout.write(`keeping the ${mode.name} keys already in ${out}\n`);
      return 0;
    }
    const found = APP_NAMES.some((app) => existsSync(join(out, app, KEY_FILE_NAME)));
    process.stdout.write(found ? `replacing the keys in ${out}: ${problem}\n` : `no keys in ${out} yet\n`);
  }
  const folders = await writeKeyFolders(out, await generateKeySet(mode.name));
  process.stdout.write(`generated ${mode.name} keys\n`);
  for (const app of APP_NAMES) {
    const held = mode.holdings[app];
    process.stdout.write(`  ${app.padEnd(14)} ${folders[app]}  (${held.length ? held.join(', ') : 'nothing secret'})\n`);
  }
  return 0;
}

function describeModes(): string {
  const rows = MODE_NAMES.map((name) => {
    const mode = MODES[name];
    const cells = APP_NAMES.map((app) => (mode.holdings[app].length ? mode.holdings[app].join(' + ') : 'JWKS URL only'));
    return `| ${name} | ${cells.join(' | ')} | ${mode.alg} |`;
  });
  return [`| mode | ${APP_NAMES.join(' | ')} | alg |`, `|---|${APP_NAMES.map(() => '---|').join('')}---|`, ...rows].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`keys: ${error instanceof KeysError ? `${error.setting ?? ''} ${error.message}`.trim() : String(error)}\n`);
    process.exit(error instanceof KeysError ? 2 : 1);
  },
);
