#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_NAMES } from './apps';
import { KeysError } from './errors';
import { findKeyFolderProblem } from './folders';
import { generateKeySet } from './generate';
import { KEY_FILE_NAME, keyNameOf, writeKeyFolders } from './keyset';
import { DEFAULT_MODE, MODES, MODE_NAMES, getMode } from './modes';
import { ROTATION_STEPS, rotateKeyFolders } from './rotate';

const USAGE = `usage: keys generate [--mode <${MODE_NAMES.join('|')}>] --out <dir> [--keep-valid]
       keys rotate [--mode <mode>] --dir <dir> --step <${ROTATION_STEPS.join('|')}>
       keys modes

generate      writes one folder per app under <dir>, holding only that app's keys (mode 0600)
--keep-valid  keeps the keys already there when every app can load them for the mode
rotate        one step of a key rotation, the same in every mode:
              stage    a new version of every key, trusted (and published) but not signing yet
              promote  the staged version signs; the previous one is still trusted
              retire   only the signing version is kept
              restart the verifiers, then the issuer, after each step
modes         prints who holds which key in each mode`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'modes') {
    process.stdout.write(`${describeModes()}\n`);
    return 0;
  }
  if (command === 'rotate') return rotate(rest);
  if (command !== 'generate') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      mode: { type: 'string', default: DEFAULT_MODE },
      out: { type: 'string' },
      'keep-valid': { type: 'boolean', default: false },
    },
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
    process.stdout.write(
      found ? `the keys in ${out} do not serve ${mode.name} (${problem}): generating new ones\n` : `no keys in ${out} yet\n`,
    );
  }
  const folders = await writeKeyFolders(out, await generateKeySet(mode.name));
  process.stdout.write(`generated ${mode.name} keys\n`);
  for (const app of APP_NAMES) {
    const held = mode.holdings[app];
    process.stdout.write(`  ${app.padEnd(14)} ${folders[app]}  (${held.length ? held.join(', ') : 'nothing secret'})\n`);
  }
  return 0;
}

async function rotate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { mode: { type: 'string', default: DEFAULT_MODE }, dir: { type: 'string' }, step: { type: 'string' } },
  });
  const step = ROTATION_STEPS.find((candidate) => candidate === values.step);
  if (!values.dir || !step) {
    process.stderr.write(`keys: rotate needs --dir and --step <${ROTATION_STEPS.join('|')}>\n${USAGE}\n`);
    return 2;
  }
  const mode = getMode(values.mode, '--mode');
  const rotated = await rotateKeyFolders(resolve(values.dir), mode.name, step);
  process.stdout.write(`${step}: ${mode.name} keys in ${resolve(values.dir)}\n`);
  for (const app of APP_NAMES) {
    const current = new Set(mode.keys.map((key) => rotated[app].keys.filter((jwk) => keyNameOf(jwk.kid ?? '') === key.name).at(-1)?.kid));
    const kids = rotated[app].keys.map((jwk) => `${jwk.kid}${current.has(jwk.kid) ? ' (current)' : ''}`);
    process.stdout.write(`  ${app.padEnd(14)} ${kids.length ? kids.join(', ') : 'nothing secret'}\n`);
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
