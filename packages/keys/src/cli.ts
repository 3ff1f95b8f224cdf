#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_NAMES, ISSUER_APP } from './apps';
import { KeysError } from './errors';
import { findKeyFolderProblem, readFolderKids } from './folders';
import { generateKeySet } from './generate';
import { KEY_FILE_NAME, signingVersions, writeKeyFolders } from './keyset';
import { DEFAULT_MODE, MODES, MODE_NAMES, getMode } from './modes';
import { ROTATION_STEPS, describeRotationState, readRotationState, rotateKeyFolders } from './rotate';

const USAGE = `usage: keys generate [--mode <${MODE_NAMES.join('|')}>] --out <dir> [--keep-valid]
       keys rotate [--mode <mode>] --dir <dir> --step <${ROTATION_STEPS.join('|')}> [--key <name>]
       keys kids [--mode <mode>] --dir <dir>
       keys modes

generate      writes one folder per app under <dir>, holding only that app's keys (mode 0600)
--keep-valid  keeps the keys already there when every app can load them for the mode
rotate        one step of a key rotation, the same in every mode; the last version of a key signs,
              every version is trusted:
              stage    a new version of the key, trusted (and published) but not signing yet
              promote  the staged version signs; the previous one is still trusted
              retire   only the promoted version is kept
              each step needs the one before it (stage needs a key with one version), and a key
              out of step is refused with exit status 1, changing nothing; the state of a key
              being rotated is kept in its holders' keys.json
              after each step, running apps take the new keys on SIGHUP: the apps that
              hold their keys, then the issuer, then the apps that fetch its JWKS
              (npm run reload does it for the stack npm start runs)
--key         rotates one key of the mode (keys modes lists them); every key when left out
kids          prints, as JSON, what each app trusts and signs with once it has reloaded the keys
              in <dir>: what its /health must then report
modes         prints who holds which key in each mode`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'modes') {
    process.stdout.write(`${describeModes()}\n`);
    return 0;
  }
  if (command === 'rotate') return rotate(rest);
  if (command === 'kids') return kids(rest);
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
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        mode: { type: 'string', default: DEFAULT_MODE },
        dir: { type: 'string' },
        step: { type: 'string' },
        key: { type: 'string' },
      },
    }));
  } catch (error) {
    process.stderr.write(`keys: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const step = ROTATION_STEPS.find((candidate) => candidate === values.step);
  if (!values.dir || !step) {
    process.stderr.write(`keys: rotate needs --dir and --step <${ROTATION_STEPS.join('|')}>\n${USAGE}\n`);
    return 2;
  }
  const mode = getMode(values.mode, '--mode');
  const dir = resolve(values.dir);
  let rotated;
  try {
    rotated = await rotateKeyFolders(dir, mode.name, step, { key: values.key });
  } catch (error) {
    if (!(error instanceof KeysError) || error.code !== 'ERR_KEYS_ROTATION_STATE') throw error;
    process.stderr.write(`keys: ${error.message}\n`);
    return 1;
  }
  process.stdout.write(`${step}: ${values.key === undefined ? 'every key' : `key ${values.key}`} of ${mode.name} in ${dir}\n`);
  process.stdout.write('apps (the last version of each key signs; every version is trusted)\n');
  for (const app of APP_NAMES) {
    const signing = new Set([...signingVersions(rotated[app].keys).values()].map((jwk) => jwk.kid));
    const kids = rotated[app].keys.map((jwk) => `${jwk.kid}${signing.has(jwk.kid) ? ' (signs)' : ''}`);
    process.stdout.write(`  ${app.padEnd(14)} ${kids.length ? kids.join(', ') : 'nothing secret'}\n`);
  }
  process.stdout.write('keys\n');
  for (const key of mode.keys) {
    process.stdout.write(`  ${key.name.padEnd(14)} ${describeRotationState(readRotationState(rotated, mode.name, key.name))}\n`);
  }
  return 0;
}

async function kids(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { mode: { type: 'string', default: DEFAULT_MODE }, dir: { type: 'string' } } }));
  } catch (error) {
    process.stderr.write(`keys: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (!values.dir) {
    process.stderr.write(`keys: kids needs --dir\n${USAGE}\n`);
    return 2;
  }
  const mode = getMode(values.mode, '--mode');
  process.stdout.write(`${JSON.stringify(await readFolderKids(resolve(values.dir), mode.name, ISSUER_APP), null, 2)}\n`);
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
