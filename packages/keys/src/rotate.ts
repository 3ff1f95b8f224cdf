import { join } from 'node:path';
import type { JWK } from 'jose';
import { KeysError } from './errors';
import { findKeyFolderProblem, readKeyFolders } from './folders';
import { generateKey } from './generate';
import { KEY_FILE_NAME, keyNameOf, readKeySetFile, writeKeyFolders, type JsonWebKeySet } from './keyset';
import { layOutMode, type ModeLayout } from './modes';
import { DEMO_TOPOLOGY, readTopology, type Topology } from './topology';

/**
 * The three steps of a rotation, the same in every mode. The last version of a key in a key set
 * signs; every version is trusted, and published where the mode publishes keys. Each step moves a
 * key from one state to the next, and is refused from any other state:
 * - `stage` (settled → staged): a new version of the key goes to every app that holds it, before
 *   the current one: trusted (and published) everywhere, signing nowhere yet.
 * - `promote` (staged → promoted): the staged version moves last and signs; the previous one is
 *   still trusted, so the tokens it signed stay valid until they expire.
 * - `retire` (promoted → settled): only the promoted version is kept.
 */
export const ROTATION_STEPS = ['stage', 'promote', 'retire'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** Options of {@link rotateKeySet} and {@link rotateKeyFolders}. */
export interface RotateOptions {
  /** The one mode key to rotate (`getMode(mode).keys[].name`); every key of the mode when undefined. */
  readonly key?: string;
}

/**
 * Where one mode key is in its rotation, as the key sets of the apps that hold it record it.
 * `kids` are its versions in key-set order, so the last one signs; `kid` is the new version.
 * `unknown` is a key whose versions and record do not make one of the three states.
 */
export type RotationState =
  | { readonly state: 'settled'; readonly name: string; readonly kids: readonly string[] }
  | { readonly state: 'staged' | 'promoted'; readonly name: string; readonly kids: readonly string[]; readonly kid: string }
  | { readonly state: 'unknown'; readonly name: string; readonly kids: readonly string[]; readonly problem: string };

const FROM: Readonly<Record<RotationStep, RotationState['state']>> = { stage: 'settled', promote: 'staged', retire: 'promoted' };
const NEXT: Readonly<Record<Exclude<RotationState['state'], 'unknown'>, string>> = {
  settled: 'stage is next',
  staged: 'promote is next',
  promoted: 'retire is next',
};

/**
 * Applies one rotation step to one key of a mode, or to every key, in the key sets of every app,
 * returning the new sets. Every key is checked first: a step from the wrong state is refused with
 * `ERR_KEYS_ROTATION_STATE`, naming the key, its state and the step that comes next. A new version
 * is generated once and given to every app that holds that key, so holders stay in step.
 *
 * @example
 * const staged = await rotateKeySet(material, 'per-app-secret', 'stage', { key: 'dashboard-api' });
 * const promoted = await rotateKeySet(staged, 'per-app-secret', 'promote', { key: 'dashboard-api' });
 */
export async function rotateKeySet<App extends string>(
  material: Readonly<Record<App, JsonWebKeySet>>,
  modeName: string,
  step: RotationStep,
  options: RotateOptions = {},
): Promise<Record<App, JsonWebKeySet>> {
  const mode = layOutMode(modeName, topologyOf(material), '--mode');
  const names = selectKeys(mode, step, options);
  const states = names.map((name) => readRotationState(material, mode.name, name));
  for (const state of states) {
    if (state.state !== FROM[step]) throw new KeysError('ERR_KEYS_ROTATION_STATE', describeRefusal(step, state));
  }
  const staged = new Map<string, JWK>();
  for (const { state, name } of states) {
    if (state === 'settled') staged.set(name, await generateKey(name, mode.kty, mode));
  }
  const rotated = { ...material } as Record<App, JsonWebKeySet>;
  for (const app of mode.apps) {
    rotated[app as App] = states
      .filter((state) => mode.holdings[app]!.includes(state.name))
      .reduce((set, state) => applyStep(set, state, staged.get(state.name)), material[app as App] ?? { keys: [] });
  }
  return rotated;
}

/**
 * Applies one rotation step to the key folders under `dir` (as `writeKeyFolders` lays them out),
 * after checking that they serve the mode. Only the files of the apps that hold a rotated key are
 * written, each atomically; a refused step writes nothing. Running apps pick up a step when they
 * reload their keys (on SIGHUP: see `KeysModule`): the apps that hold the keys they verify with,
 * then the issuer, then the apps that fetch the issuer's JWKS, so that no app signs with a key
 * another does not trust yet, and no app fetches a JWKS before it publishes the new key.
 *
 * @example
 * await rotateKeyFolders('.keys/rs256-jwks', 'rs256-jwks', 'stage');
 * await rotateKeyFolders('.keys/per-app-secret', 'per-app-secret', 'promote', { key: 'dashboard-api' });
 */
export async function rotateKeyFolders(
  dir: string,
  modeName: string,
  step: RotationStep,
  options: RotateOptions = {},
): Promise<Record<string, JsonWebKeySet>> {
  const mode = layOutMode(modeName, (await readKeyFolders(dir)).topology, '--mode');
  const names = selectKeys(mode, step, options);
  const problem = await findKeyFolderProblem(dir, mode.name);
  if (problem !== undefined) throw new KeysError('ERR_KEYS_INVALID', `the key folders do not serve ${mode.name}: ${problem}`, '--dir');
  const material: Record<string, JsonWebKeySet> = {};
  for (const app of mode.apps) material[app] = (await readKeySetFile(join(dir, app, KEY_FILE_NAME), '--dir')) ?? { keys: [] };
  const rotated = await rotateKeySet(material, mode.name, step, options);
  const written = mode.apps.filter((app) => names.some((name) => mode.holdings[app]!.includes(name)));
  await writeKeyFolders(dir, Object.fromEntries(written.map((app) => [app, rotated[app] ?? { keys: [] }])));
  return rotated;
}

/**
 * Reads where one key of a mode is in its rotation, from the key sets of the apps that hold it.
 * They must hold the same versions and record the same state; otherwise the state is `unknown`.
 *
 * @example
 * readRotationState(material, 'rs256-jwks', 'issuer');
 * // { state: 'staged', name: 'issuer', kids: ['issuer.1a2b3c4d', 'issuer.9f2c41ab'], kid: 'issuer.1a2b3c4d' }
 */
export function readRotationState(material: Readonly<Record<string, JsonWebKeySet>>, modeName: string, keyName: string): RotationState {
  const mode = layOutMode(modeName, topologyOf(material), '--mode');
  const holders = mode.apps.filter((app) => mode.holdings[app]!.includes(keyName));
  if (holders.length === 0) return { state: 'unknown', name: keyName, kids: [], problem: `no app holds it in ${mode.name}` };
  const states = holders.map((app) => readHeldState(material[app] ?? { keys: [] }, keyName));
  const differ = states.findIndex((state) => summarize(state) !== summarize(states[0]!));
  if (differ < 0) return states[0]!;
  const problem = `its holders disagree (${holders[0]} holds ${summarize(states[0]!)}, ${holders[differ]} holds ${summarize(states[differ]!)}); generate new keys`;
  return { state: 'unknown', name: keyName, kids: states[0]!.kids, problem };
}

/**
 * Describes a key's rotation state in one line: its versions, which one signs, and the next step.
 *
 * @example
 * describeRotationState(readRotationState(material, 'rs256-jwks', 'issuer'));
 * // 'promoted: issuer.1a2b3c4d signs, issuer.9f2c41ab is still trusted; retire is next'
 */
export function describeRotationState(state: RotationState): string {
  if (state.state === 'unknown') return `unknown: ${state.problem}`;
  const next = state.state === 'settled' ? '' : `; ${NEXT[state.state]}`;
  return `${state.state}: ${describeVersions(state)}${next}`;
}

/** The services a set of key sets was made for: what they record, or the demo's. */
function topologyOf(material: Readonly<Record<string, JsonWebKeySet>>): Topology {
  for (const set of Object.values(material)) {
    const topology = readTopology(set.topology, '--dir');
    if (topology !== undefined) return topology;
  }
  return DEMO_TOPOLOGY;
}

function selectKeys(mode: ModeLayout, step: RotationStep, options: RotateOptions): string[] {
  if (!ROTATION_STEPS.includes(step)) {
    throw new KeysError('ERR_KEYS_CONFIG', `unknown step "${String(step)}"; expected one of ${ROTATION_STEPS.join(', ')}`, '--step');
  }
  const names = mode.keys.map((key) => key.name);
  if (options.key === undefined) return names;
  if (!names.includes(options.key)) {
    throw new KeysError('ERR_KEYS_CONFIG', `unknown key "${options.key}" in ${mode.name}; expected one of ${names.join(', ')}`, '--key');
  }
  return [options.key];
}

function applyStep(set: JsonWebKeySet, state: RotationState, staged: JWK | undefined): JsonWebKeySet {
  const own = versionsOf(set, state.name);
  const rotation = { ...set.rotation };
  let versions: JWK[];
  if (state.state === 'settled' && staged !== undefined) {
    versions = [{ ...staged }, ...own];
    rotation[state.name] = { state: 'staged', kid: staged.kid! };
  } else if (state.state === 'staged') {
    versions = [...own.filter((jwk) => jwk.kid !== state.kid), ...own.filter((jwk) => jwk.kid === state.kid)];
    rotation[state.name] = { state: 'promoted', kid: state.kid };
  } else if (state.state === 'promoted') {
    versions = own.filter((jwk) => jwk.kid === state.kid);
    delete rotation[state.name];
  } else {
    throw new KeysError('ERR_KEYS_ROTATION_STATE', `cannot rotate "${state.name}" from its state (${state.state})`);
  }
  const first = set.keys.findIndex((jwk) => keyNameOf(jwk.kid ?? '') === state.name);
  const keys = set.keys.filter((jwk) => keyNameOf(jwk.kid ?? '') !== state.name);
  keys.splice(first, 0, ...versions);
  const next: JsonWebKeySet = { ...set, keys, rotation };
  if (Object.keys(rotation).length === 0) delete next.rotation;
  return next;
}

function versionsOf(set: JsonWebKeySet, name: string): JWK[] {
  return set.keys.filter((jwk) => keyNameOf(jwk.kid ?? '') === name);
}

function readHeldState(set: JsonWebKeySet, name: string): RotationState {
  const kids = versionsOf(set, name).map((jwk) => jwk.kid ?? '');
  // Read from a file the record may be anything: it is trusted only when it matches the versions,
  // and never quoted, since a misplaced key could sit where a record should.
  const rotation: unknown = set.rotation;
  const fix = "fix it in every holder's keys.json, or generate new keys";
  if (rotation !== undefined && (typeof rotation !== 'object' || rotation === null || Array.isArray(rotation))) {
    return { state: 'unknown', name, kids, problem: `the "rotation" member of its key file is not an object; ${fix}` };
  }
  const recorded: unknown =
    rotation !== undefined && Object.hasOwn(rotation, name) ? (rotation as Record<string, unknown>)[name] : undefined;
  if (recorded === undefined) {
    if (kids.length === 1) return { state: 'settled', name, kids };
    const versions = kids.length === 0 ? 'no version' : `${kids.length} versions (${kids.join(', ')}; the last signs)`;
    const problem =
      kids.length === 2
        ? `it has ${versions} and no recorded rotation state (a key file from before states were recorded); record one in every holder's keys.json ("rotation": {"${name}": {"state": "staged" or "promoted", "kid": "<new kid>"}}) or generate new keys`
        : `it has ${versions}; generate new keys`;
    return { state: 'unknown', name, kids, problem };
  }
  const { state, kid } = (typeof recorded === 'object' && recorded !== null ? recorded : {}) as { state?: unknown; kid?: unknown };
  if ((state !== 'staged' && state !== 'promoted') || typeof kid !== 'string' || !kids.includes(kid)) {
    return {
      state: 'unknown',
      name,
      kids,
      problem: `its recorded rotation state is not {"state": "staged" or "promoted", "kid": <one of its kids>}; ${fix}`,
    };
  }
  if (kids.length === 2 && kids[state === 'staged' ? 0 : 1] === kid) return { state, name, kids, kid };
  const problem = `its recorded rotation state (${state}, ${kid}) does not match its versions (${kids.join(', ')}); ${fix}`;
  return { state: 'unknown', name, kids, problem };
}

function summarize(state: RotationState): string {
  return `${state.kids.join(', ') || 'no version'} (${state.state})`;
}

function describeVersions(state: Exclude<RotationState, { state: 'unknown' }>): string {
  if (state.state === 'settled') return `${state.kids[0]} signs`;
  const previous = state.kids.find((kid) => kid !== state.kid);
  return state.state === 'staged' ? `${state.kid} is trusted, ${previous} signs` : `${state.kid} signs, ${previous} is still trusted`;
}

function describeRefusal(step: RotationStep, state: RotationState): string {
  if (state.state === 'unknown') return `cannot ${step} "${state.name}": ${state.problem}`;
  const already = (step === 'stage' && state.state === 'staged') || (step === 'promote' && state.state === 'promoted') ? ' already' : '';
  return `cannot ${step} "${state.name}": it is ${state.state}${already} (${describeVersions(state)}); ${NEXT[state.state]}`;
}
