#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KeysError } from './errors';
import { findKeyFolderProblem, readFolderKids, readKeyFolders, resolveFolderMode } from './folders';
import { generateKeySet } from './generate';
import { KUBERNETES_NAMESPACE, secretManifests } from './k8s-secrets';
import { KEY_FILE_NAME, signingVersions, writeKeyFolders } from './keyset';
import { DEFAULT_MODE, MODE_NAMES, findMode, layOutMode } from './modes';
import { waitForReplicas } from './replicas';
import { ROTATION_STEPS, describeRotationState, readRotationState, rotateKeyFolders } from './rotate';
import { DEMO_TOPOLOGY, createTopology, type Topology } from './topology';

const NAME = 'jwt-blast-radius-keys';

const USAGE = `usage: ${NAME} generate [--mode <${MODE_NAMES.join('|')}>] [--issuer <name> --apps <name,name,...>] --out <dir> [--keep-valid]
       ${NAME} rotate --dir <dir> --step <${ROTATION_STEPS.join('|')}> [--key <name>] [--mode <mode>]
       ${NAME} kids --dir <dir> [--mode <mode>]
       ${NAME} modes [--dir <dir> | --issuer <name> --apps <name,...>]
       ${NAME} secrets --dir <dir> [--namespace <name>]
       ${NAME} wait --dir <dir> --replica <service>=<url> [--replica ...] [--timeout <seconds>]

generate      writes one folder per service under <dir>, holding only that service's keys (mode 0600);
              each key file records the mode and the services, so that the commands below read them
              from <dir> (a --mode that disagrees with <dir> is refused)
--issuer      the service that signs every token (default ${DEMO_TOPOLOGY.issuer})
--apps        every service, the issuer included (default ${DEMO_TOPOLOGY.apps.join(',')}); each name is
              also the audience of its tokens: lowercase letters, digits and hyphens, starting with a
              letter, at most 63 characters
--keep-valid  keeps the keys already there when every service can load them for the mode and services
rotate        one step of a key rotation, the same in every mode; the last version of a key signs,
              every version is trusted:
              stage    a new version of the key, trusted (and published) but not signing yet
              promote  the staged version signs; the previous one is still trusted
              retire   only the promoted version is kept
              each step needs the one before it (stage needs a key with one version), and a key
              out of step is refused with exit status 1, changing nothing; the state of a key
              being rotated is kept in its holders' keys.json
              after each step, running services take the new keys on SIGHUP: the services that
              hold their keys, then the issuer, then the services that fetch its JWKS
--key         rotates one key of the mode (modes lists them); every key when left out
kids          prints, as JSON, what each service trusts and signs with once it has reloaded the keys
              in <dir>: what its /health must then report
modes         prints who holds which key in each mode, for the services of <dir> or those given
secrets       prints the Kubernetes Secret manifests of <dir>: one per service that holds a key file,
              <service>-keys, in the namespace given (default ${KUBERNETES_NAMESPACE}); they hold the keys
              themselves, so pipe them to kubectl apply -f - rather than into a file
wait          waits until every replica named reports on <url>/health what <dir> gives its service (what
              kids prints): between two steps of a rotation across replicas that no one signals (pods
              that follow a mounted Secret); exit status 1 at the timeout (default 300 s), naming each
              replica still behind. Replicas of a service that fetches the issuer's JWKS are not waited
              for: they fetch a new kid when a token first names it`;

/** A usage error: printed with the usage, exit status 2. */
class UsageError extends Error {}

function readOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

const TOPOLOGY_OPTIONS = { issuer: { type: 'string' }, apps: { type: 'string' } } as const;

function readTopologyOptions(values: { issuer?: string | undefined; apps?: string | undefined }): Topology | undefined {
  if (values.issuer === undefined && values.apps === undefined) return undefined;
  if (values.issuer === undefined || values.apps === undefined) throw new UsageError('--issuer and --apps go together');
  return createTopology(
    values.issuer,
    values.apps.split(',').map((app) => app.trim()),
  );
}

async function generate(args: string[]): Promise<number> {
  const values = readOptions(args, {
    mode: { type: 'string', default: DEFAULT_MODE },
    out: { type: 'string' },
    'keep-valid': { type: 'boolean', default: false },
    ...TOPOLOGY_OPTIONS,
  });
  if (!values.out) throw new UsageError('--out is required');
  const mode = findMode(values.mode, '--mode');
  const topology = readTopologyOptions(values) ?? DEMO_TOPOLOGY;
  const out = resolve(values.out);
  if (values['keep-valid']) {
    // Running services hold their keys in memory: replacing valid keys would split a running stack.
    const problem = await keptKeysProblem(out, mode.name, topology);
    if (problem === undefined) {
      process.stdout.write(`keeping the ${mode.name} keys already in ${out}\n`);
      return 0;
    }
    const found = topology.apps.some((app) => existsSync(join(out, app, KEY_FILE_NAME)));
    process.stdout.write(
      found ? `the keys in ${out} do not serve ${mode.name} (${problem}): generating new ones\n` : `no keys in ${out} yet\n`,
    );
  }
  const folders = await writeKeyFolders(out, await generateKeySet(mode.name, topology));
  const layout = layOutMode(mode.name, topology);
  const width = Math.max(14, ...topology.apps.map((app) => app.length + 1));
  process.stdout.write(`generated ${mode.name} keys\n`);
  for (const app of topology.apps) {
    const held = layout.holdings[app]!;
    process.stdout.write(`  ${app.padEnd(width)} ${folders[app]}  (${held.length ? held.join(', ') : 'nothing secret'})\n`);
  }
  return 0;
}

/** Why the keys under `out` cannot be kept for a mode and services, or undefined when they can. */
async function keptKeysProblem(out: string, mode: string, topology: Topology): Promise<string | undefined> {
  const recorded = await readKeyFolders(out).catch(() => undefined);
  const same = (a: Topology, b: Topology) => a.issuer === b.issuer && a.apps.join(',') === b.apps.join(',');
  if (recorded && !same(recorded.topology, topology)) return `they are for ${recorded.topology.apps.join(', ')}`;
  return findKeyFolderProblem(out, mode);
}

async function rotate(args: string[]): Promise<number> {
  const values = readOptions(args, {
    mode: { type: 'string' },
    dir: { type: 'string' },
    step: { type: 'string' },
    key: { type: 'string' },
  });
  const step = ROTATION_STEPS.find((candidate) => candidate === values.step);
  if (!values.dir || !step) throw new UsageError(`rotate needs --dir and --step <${ROTATION_STEPS.join('|')}>`);
  const dir = resolve(values.dir);
  const { mode, topology } = await resolveFolderMode(dir, values.mode);
  let rotated;
  try {
    rotated = await rotateKeyFolders(dir, mode, step, { key: values.key });
  } catch (error) {
    if (!(error instanceof KeysError) || error.code !== 'ERR_KEYS_ROTATION_STATE') throw error;
    process.stderr.write(`${NAME}: ${error.message}\n`);
    return 1;
  }
  const layout = layOutMode(mode, topology);
  const width = Math.max(14, ...layout.apps.map((app) => app.length + 1));
  process.stdout.write(`${step}: ${values.key === undefined ? 'every key' : `key ${values.key}`} of ${mode} in ${dir}\n`);
  process.stdout.write('apps (the last version of each key signs; every version is trusted)\n');
  for (const app of layout.apps) {
    const keys = rotated[app]?.keys ?? [];
    const signing = new Set([...signingVersions(keys).values()].map((jwk) => jwk.kid));
    const kids = keys.map((jwk) => `${jwk.kid}${signing.has(jwk.kid) ? ' (signs)' : ''}`);
    process.stdout.write(`  ${app.padEnd(width)} ${kids.length ? kids.join(', ') : 'nothing secret'}\n`);
  }
  process.stdout.write('keys\n');
  for (const key of layout.keys) {
    process.stdout.write(`  ${key.name.padEnd(width)} ${describeRotationState(readRotationState(rotated, mode, key.name))}\n`);
  }
  return 0;
}

async function kids(args: string[]): Promise<number> {
  const values = readOptions(args, { mode: { type: 'string' }, dir: { type: 'string' } });
  if (!values.dir) throw new UsageError('kids needs --dir');
  const dir = resolve(values.dir);
  const { mode } = await resolveFolderMode(dir, values.mode);
  process.stdout.write(`${JSON.stringify(await readFolderKids(dir, mode), null, 2)}\n`);
  return 0;
}

async function modes(args: string[]): Promise<number> {
  const values = readOptions(args, { dir: { type: 'string' }, ...TOPOLOGY_OPTIONS });
  const given = readTopologyOptions(values);
  if (given && values.dir) throw new UsageError('modes takes --dir, or --issuer and --apps, not both');
  const folders = values.dir ? await readKeyFolders(resolve(values.dir)) : undefined;
  const topology = given ?? folders?.topology ?? DEMO_TOPOLOGY;
  const rows = MODE_NAMES.map((name) => {
    const layout = layOutMode(name, topology);
    const cells = topology.apps.map((app) => (layout.holdings[app]!.length ? layout.holdings[app]!.join(' + ') : 'JWKS URL only'));
    return `| ${name}${folders?.mode === name ? ' (these keys)' : ''} | ${cells.join(' | ')} | ${layout.alg} |`;
  });
  const header = [`| mode | ${topology.apps.join(' | ')} | alg |`, `|---|${topology.apps.map(() => '---|').join('')}---|`];
  process.stdout.write(`${[...header, ...rows].join('\n')}\n`);
  return 0;
}

async function secrets(args: string[]): Promise<number> {
  const values = readOptions(args, { dir: { type: 'string' }, namespace: { type: 'string' } });
  if (!values.dir) throw new UsageError('secrets needs --dir');
  const dir = resolve(values.dir);
  const { mode, topology } = await readKeyFolders(dir);
  if (mode === undefined)
    throw new KeysError('ERR_KEYS_MISSING', `holds no key file that records its mode: make one with generate`, '--dir');
  process.stdout.write(await secretManifests(dir, topology, values.namespace === undefined ? {} : { namespace: values.namespace }));
  return 0;
}

async function wait(args: string[]): Promise<number> {
  const values = readOptions(args, { dir: { type: 'string' }, replica: { type: 'string', multiple: true }, timeout: { type: 'string' } });
  if (!values.dir || !values.replica) throw new UsageError('wait needs --dir and at least one --replica <service>=<url>');
  const replicas = values.replica.map((given) => {
    const at = given.indexOf('=');
    const url = given.slice(at + 1).replace(/\/$/, '');
    if (at < 1 || !/^https?:\/\/[^/]+$/.test(url)) throw new UsageError(`--replica ${given}: expected <service>=<http://host:port>`);
    return { app: given.slice(0, at), url };
  });
  const timeout = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 86_400)
    throw new UsageError('--timeout must be a whole number of seconds from 1 to 86400');
  const dir = resolve(values.dir);
  const { mode } = await resolveFolderMode(dir, undefined);
  const expected = await readFolderKids(dir, mode);
  // A service that fetches the issuer's JWKS holds no file: it fetches a kid it does not know when a token names
  // one, and reports nothing until then. The issuer publishing a version is what makes it safe for them.
  const fetching = replicas.filter((replica) => expected[replica.app]?.fromJwks);
  for (const { app, url } of fetching) {
    process.stderr.write(`not waiting for ${url}: ${app} fetches the issuer's JWKS, and a new kid at the first token that names it\n`);
  }
  const holders = replicas.filter((replica) => !fetching.includes(replica));
  let said = '';
  try {
    await waitForReplicas(holders, expected, {
      timeoutMs: timeout * 1000,
      onRound: (states) => {
        const behind = states.filter((state) => state.problem !== undefined);
        const line = `${states.length - behind.length} of ${states.length} replicas hold what ${dir} gives them${behind.length ? `; waiting for ${behind.map((state) => state.replica.url).join(', ')}` : ''}`;
        if (line !== said) process.stderr.write(`${line}\n`);
        said = line;
      },
    });
  } catch (error) {
    process.stderr.write(`${NAME}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`every replica holds what ${dir} gives its service (${mode})\n`);
  return 0;
}

const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<number>>> = { generate, rotate, kids, modes, secrets, wait };

async function main([command = '', ...rest]: string[]): Promise<number> {
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) throw new UsageError(command ? `unknown command "${command}"` : 'a command is needed');
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${NAME}: ${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`${NAME}: ${error instanceof KeysError ? `${error.setting ?? ''} ${error.message}`.trim() : String(error)}\n`);
    process.exit(error instanceof KeysError ? 2 : 1);
  },
);
