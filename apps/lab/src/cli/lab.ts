#!/usr/bin/env node
import { APP_NAMES, DEFAULT_ISSUER, MAX_TOKEN_LIFETIME, isAppName, type AppName } from '@jwt-blast-radius/keys';
import { MACHINE_CHECKS, checkMachine, formatMachineCheck, machineReady } from '../hand/check';
import { decodeToken, formatDecoded } from '../hand/decode';
import { describeLoot } from '../hand/describe-loot';
import { HandError } from '../hand/errors';
import { adminUrlFor, curlLine, describeForged, forgeToken } from '../hand/forge';
import { LOOT_FILE_DESCRIPTION, readLootFile, writeLootFile } from '../hand/loot-file';
import { takeComposeLoot, takeStackLoot } from '../hand/take-loot';
import { signingKeysIn } from '@jwt-blast-radius/stack';
import { readCommandLine, runCommand, type CommandOptions } from './command';

// `npm run lab -- <command>`: every command of the lab. The hand tools run here: `loot` takes what a running app
// holds, as the lab compromises it; `forge` signs a token with a key from that loot; `decode` shows what a token
// says, unverified; `check` says whether a participant's machine is ready for the workshop. The other commands each
// have an npm script of their own (`npm run lab -- demo` is `npm run demo`) and run from their own entry point.

const APPS = APP_NAMES.join(', ');
const DEFAULT_TTL_SECONDS = 300;
const MAX_TTL_SECONDS = 86_400;
const MAX_STDIN_BYTES = 1024 * 1024;

/** One subcommand: what it does in a few words, its usage, and how it runs on the arguments after its name. */
interface Subcommand {
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

const LOOT_USAGE = `usage: npm run lab -- loot --app <app> [--compose] [--reveal] [--out <file>]
  --app      the app to compromise: ${APPS}
  --compose  take it from the compose stack started from this folder (docker-compose up), not from npm start's
  --reveal   print secret and private values whole (masked otherwise: their first 4 characters and length)
  --out      also write the loot, unmasked, to <file> (mode 0600), for npm run lab -- forge --with <file>

Takes what the app's process holds, exactly as the lab compromises it: its environment (/proc/<pid>/environ;
through docker exec for a container), followed to every key file its KEYS_DIR or KEYS_FILE names. Prints the
settings that matter, each key's kid, type and algorithm and whether it signs or only verifies, and what the
lab's expected matrix says a token forged with it opens. With --compose, the app's container is found by its
compose labels, whatever the project is called; COMPOSE_PROJECT_NAME picks one when several run from here.
${LOOT_FILE_DESCRIPTION}
exit status: 0 when the loot was taken; 1 when no stack runs the app or it cannot be read;
             2 for a usage error`;

const FORGE_USAGE = `usage: npm run -s lab -- forge --with <loot file> --sub <subject> --roles <role,...> --aud <app>
                           [--kid <kid>] [--jti <jti>] [--ttl <seconds>]
  --with   the loot file to sign with (npm run lab -- loot --app <app> --out <file> writes one)
  --sub    the subject the token claims
  --roles  its roles, comma-separated or repeated (--roles admin --roles user)
  --aud    its audience: ${APPS}
  --kid    the kid of the key to sign with, when the loot holds several that sign
  --jti    its token id (a fresh UUID unless given)
  --ttl    seconds until it expires (default ${DEFAULT_TTL_SECONDS}; the services refuse a lifetime over ${MAX_TOKEN_LIFETIME})

Signs an RFC 9068 access token (typ at+jwt) exactly as the lab forges one: iss is the looted app's ISSUER
(${DEFAULT_ISSUER} when it has none). Prints only the token on stdout, and on stderr what it claims and a
curl line for the audience's admin route on the running stack, so that it can be kept in a variable:
  TOKEN=$(npm run -s lab -- forge --with dashboard-api.loot.json --sub admin --roles admin --aud dashboard-api)
${LOOT_FILE_DESCRIPTION}
exit status: 0 when a token was forged; 2 for a usage error, a file that is not a loot file, or a loot
             that holds no key that signs (or not the one --kid names)`;

const DECODE_USAGE = `usage: npm run lab -- decode <token | ->
  <token>  a JWT, alone or as "Bearer <token>"; - reads it from stdin

Prints the token's header and claims as JSON, and its times (iat, nbf, exp) as ISO instants and relative to
now. Decoding verifies nothing: anyone can write any claims. The signature is never printed.
exit status: 0 when the token was decoded; 2 for a usage error or input that is not a JWT`;

const CHECK_USAGE = `usage: npm run lab -- check
Checks that this machine is ready for the workshop, one line per check (ok, FAIL, or skip for an optional one):
${MACHINE_CHECKS.map(({ name }) => `  ${name}`).join('\n')}
Node.js as package.json's engines asks; /proc by reading the environment of a process it starts, as loot reads
one; the ports by connecting to them (it binds nothing); Docker only says what is there, since no exercise needs it.
exit status: 0 when every required check passed; 1 when one failed; 2 for a usage error`;

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  loot: {
    summary: 'what a running app holds, taken as the lab compromises it (--out saves it for forge)',
    usage: LOOT_USAGE,
    run: runLoot,
  },
  forge: { summary: 'an access token signed with a key from a loot file', usage: FORGE_USAGE, run: runForge },
  decode: { summary: "a token's header and claims, unverified", usage: DECODE_USAGE, run: runDecode },
  check: { summary: 'whether this machine is ready for the workshop', usage: CHECK_USAGE, run: runCheck },
};

/** The lab's commands that run from an entry point of their own, `npm run <name>`, each with what it does. */
const COMMANDS: Readonly<Record<string, string>> = {
  start: 'the three services on loopback in one mode, until Ctrl-C',
  reload: 'every service of the running npm start reloads its keys',
  demo: 'the blast-radius and replay matrices, each app compromised in each mode',
  attacks: 'the attack catalogue against every service',
  drill: 'the recovery drill: keys rotated live under load, with an attacker',
  detect: "forged tokens found in the services' logs",
  bench: 'what verification costs, measured side by side',
  workshop: 'the workshop console, in a browser',
  docs: 'every page of docs/, from real runs',
};

const USAGE = `usage: npm run lab -- <command> [options]
the hand tools:
${Object.entries(SUBCOMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(8)}  ${summary}`)
  .join('\n')}
the others, each also npm run <command>:
${Object.entries(COMMANDS)
  .map(([name, summary]) => `  ${name.padEnd(8)}  ${summary}`)
  .join('\n')}
npm run lab -- <command> --help shows a command's options.

  npm run lab -- loot --app dashboard-api --out dashboard-api.loot.json
  TOKEN=$(npm run -s lab -- forge --with dashboard-api.loot.json --sub admin --roles admin --aud mobile-api)
  npm run lab -- decode "$TOKEN"
exit status: 0 when it was done; 1 when it could not be (no stack runs, say); 2 for a usage error`;

async function runLoot(args: readonly string[]): Promise<number> {
  const values = readSubcommandLine(
    'loot',
    { app: { type: 'string' }, compose: { type: 'boolean' }, reveal: { type: 'boolean' }, out: { type: 'string' } },
    args,
  )?.values;
  if (!values) return 0;
  const app = readApp('loot', '--app', values.app);
  const taken = values.compose
    ? await takeComposeLoot(app, { ...(process.env.COMPOSE_PROJECT_NAME ? { project: process.env.COMPOSE_PROJECT_NAME } : {}) })
    : await takeStackLoot(app);
  process.stdout.write(describeLoot(taken, { reveal: values.reveal ?? false }));
  const compose = values.compose ? ' --compose' : '';
  if (values.out !== undefined) {
    await writeLootFile(values.out, taken);
    const signing = signingKeysIn(taken).length;
    process.stdout.write(
      `\nwrote the loot, unmasked, to ${values.out} (mode 0600: readable by its owner alone)` +
        (signing === 0
          ? '; it holds nothing that signs, so forge has nothing to sign with\n'
          : `; forge with it:\n  npm run -s lab -- forge --with ${values.out} --sub admin --roles admin --aud <app>${signing > 1 ? ' --kid <kid>' : ''}\n`),
    );
  } else {
    process.stdout.write(`\nnot saved; to keep it for npm run lab -- forge (unmasked JSON, mode 0600):\n`);
    process.stdout.write(`  npm run lab -- loot --app ${app}${compose} --out ${app}.loot.json\n`);
  }
  return 0;
}

async function runForge(args: readonly string[]): Promise<number> {
  const values = readSubcommandLine(
    'forge',
    {
      with: { type: 'string' },
      sub: { type: 'string' },
      roles: { type: 'string', multiple: true },
      aud: { type: 'string' },
      kid: { type: 'string' },
      jti: { type: 'string' },
      ttl: { type: 'string' },
    },
    args,
  )?.values;
  if (!values) return 0;
  const file = required('forge', '--with', values.with);
  const sub = required('forge', '--sub', values.sub);
  const roles = [...new Set((values.roles ?? []).flatMap((given) => given.split(',')).map((role) => role.trim()))].filter(Boolean);
  if (values.roles === undefined) throw usage('forge', '--roles is missing');
  if (roles.length === 0) throw usage('forge', '--roles names no role');
  const aud = readApp('forge', '--aud', values.aud);
  const ttlSeconds = readTtl(values.ttl);
  const stolen = await readLootFile(file);
  const forged = await forgeToken(stolen, {
    sub,
    roles,
    aud,
    ttlSeconds,
    ...(values.kid !== undefined ? { kid: values.kid } : {}),
    ...(values.jti !== undefined ? { jti: values.jti } : {}),
  });
  process.stdout.write(`${forged.token}\n`);
  process.stderr.write(`${describeForged(forged)}\n${curlLine(await adminUrlFor(stolen, aud))}\n`);
  return 0;
}

async function runCheck(args: readonly string[]): Promise<number> {
  if (!readSubcommandLine('check', {}, args)) return 0;
  const results = await checkMachine();
  process.stdout.write(formatMachineCheck(results));
  return machineReady(results) ? 0 : 1;
}

async function runDecode(args: readonly string[]): Promise<number> {
  const line = readSubcommandLine('decode', {}, args, { allowPositionals: true });
  if (!line) return 0;
  const [given, ...more] = line.positionals;
  if (given === undefined) throw usage('decode', 'give the token, or - to read it from stdin');
  if (more.length > 0) throw usage('decode', `takes one token, not ${line.positionals.length} arguments`);
  const token = given === '-' ? await readStdin() : given;
  process.stdout.write(formatDecoded(decodeToken(token)));
  return 0;
}

/** Reads a subcommand's command line: a usage error is one line, `lab: <subcommand>: ...`, and exit status 2. */
function readSubcommandLine<T extends CommandOptions>(
  name: string,
  options: T,
  args: readonly string[],
  { allowPositionals = false } = {},
) {
  return readCommandLine('lab', SUBCOMMANDS[name]!.usage, options, {
    args,
    allowPositionals,
    onUsageError: (message) => {
      throw usage(name, plainParseError(message));
    },
  });
}

/** parseArgs' message in one short line, never quoting an argument that is not an option (it may be a token). */
function plainParseError(message: string): string {
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) return `unknown option ${quoted(unknown[1]!)}`;
  if (message.startsWith('Unexpected argument')) return 'takes no argument other than its options';
  return message.split('. ')[0]!;
}

/** A value the user gave, quoted when it is short and name-like; anything else (a token, a secret) is only described. */
function quoted(value: string): string {
  return /^-{0,2}[A-Za-z0-9_-][A-Za-z0-9._-]{0,39}$/.test(value) ? `"${value}"` : `(a value of ${value.length} characters)`;
}

function usage(name: string, message: string): HandError {
  return new HandError('ERR_HAND_USAGE', `${name}: ${message} (npm run lab -- ${name} --help)`);
}

function required(name: string, option: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw usage(name, `${option} is missing`);
  return value;
}

function readApp(name: string, option: string, value: string | undefined): AppName {
  const given = required(name, option, value);
  if (!isAppName(given)) throw usage(name, `${option} ${quoted(given)} is not an app; the apps are ${APPS}`);
  return given;
}

function readTtl(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TTL_SECONDS;
  const seconds = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_TTL_SECONDS)) {
    throw usage('forge', `--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, not ${quoted(value)}`);
  }
  return seconds;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STDIN_BYTES) throw new HandError('ERR_HAND_MALFORMED_TOKEN', 'not a JWT: stdin holds more than 1 MB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  try {
    if (name === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    if (name === '--help' || name === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const subcommand = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (!subcommand) {
      throw new HandError(
        'ERR_HAND_USAGE',
        `unknown command ${quoted(name)}; the commands are ${[...Object.keys(SUBCOMMANDS), ...Object.keys(COMMANDS)].join(', ')} (npm run lab -- --help)`,
      );
    }
    return await subcommand.run(args);
  } catch (error) {
    if (!(error instanceof HandError)) throw error;
    process.stderr.write(`lab: ${error.message}\n`);
    return error.exitStatus;
  }
}

const command = process.argv[2];
if (command !== undefined && Object.hasOwn(COMMANDS, command)) {
  // The command runs from its own entry point, as its npm script runs it, on the arguments after its name.
  process.argv.splice(2, 1);
  void import(`./${command}.js`);
} else {
  runCommand('lab', main);
}
