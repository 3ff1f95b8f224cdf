import { createHmac, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  APP_NAMES,
  DEFAULT_ISSUER,
  MODE_NAMES,
  generateKeySet,
  getMode,
  keyNameOf,
  rotateKeySet,
  ROTATION_STEPS,
  toPublicJwk,
  type AppName,
  type JsonWebKeySet,
  type ModeName,
} from '@jwt-blast-radius/keys';
import { accessTokenClaims, createAttacker, signRawJws, signWithJwk, type Attacker } from '@jwt-blast-radius/attacker';
import { REPO_ROOT, localDriver, type Loot, type StackDriver } from '@jwt-blast-radius/stack';
import { compactVerify, importJWK, type JWK } from 'jose';
import { ATTACKS_REPORT, renderAttackDocs } from '../docs/pages';
import { CATALOGUE } from './catalogue';
import { attackContext, type ModeSetup } from './context';
import { credentialsIn, scanLogs, secretsOfRun } from './scan';
import { expectedOutcome, failuresOf, outcomeFor, runCatalogue, type AttackRow, type CatalogueRun } from './run';
import { ATTACK_GROUPS, type AttackRequest } from './types';

jest.setTimeout(600_000);

const byId = (id: string) => CATALOGUE.find((attack) => attack.id === id)!;
const mismatching = (rows: readonly AttackRow[]) =>
  rows.filter((row) => row.verdict !== 'match').map((row) => `[${row.mode}] ${row.id}: ${row.verdict}`);

describe('the attack catalogue, as a table', () => {
  it('has at least 30 kinds of attack, each with a unique id and title and one sentence of what it tries', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CATALOGUE.map((attack) => attack.id)).size).toBe(CATALOGUE.length);
    expect(new Set(CATALOGUE.map((attack) => attack.title)).size).toBe(CATALOGUE.length);
    for (const attack of CATALOGUE) {
      expect({ id: attack.id, kebab: /^[a-z0-9]+(-[a-z0-9]+)*$/.test(attack.id) }).toEqual({ id: attack.id, kebab: true });
      expect({ id: attack.id, sentence: /^\S.*[.)]$/.test(attack.tries) && !attack.tries.includes('\n') }).toEqual({
        id: attack.id,
        sentence: true,
      });
      expect(Object.keys(ATTACK_GROUPS)).toContain(attack.group);
    }
  });

  it('overrides the default expectation only in a mode where it changes some target’s outcome', () => {
    const idle = CATALOGUE.flatMap((attack) =>
      (Object.keys(attack.expected.modes ?? {}) as ModeName[])
        .filter((mode) =>
          APP_NAMES.every((target) => expectedOutcome(attack, mode, target) === outcomeFor(attack.expected.default, target)),
        )
        .map((mode) => `${attack.id} in ${mode}`),
    );
    expect(idle).toEqual([]);
  });

  it('says what the modes change: another app’s key is accepted only where every app holds the one key', () => {
    const another = byId('another-app-key');
    expect(MODE_NAMES.map((mode) => [mode, expectedOutcome(another, mode, 'mobile-api')])).toEqual([
      ['shared-hs256', 'accepted'],
      ['per-app-secret', 'refused'],
      ['rs256-jwks', 'n/a'],
    ]);
    expect(expectedOutcome(byId('confusion-public-pem'), 'per-app-secret', 'dashboard-api')).toBe('n/a');
    expect(expectedOutcome(byId('confusion-public-pem'), 'rs256-jwks', 'dashboard-api')).toBe('refused');
  });
});

/** A stack's worth of context without a stack: fresh keys rotated once, loot as files, tokens the issuer would sign. */
async function offlineSetup(mode: ModeName): Promise<ModeSetup> {
  const backup = await generateKeySet(mode);
  let material = backup;
  for (const step of ROTATION_STEPS) material = await rotateKeySet(material, mode, step);
  const loot = {} as Record<AppName, Loot>;
  for (const app of APP_NAMES) {
    loot[app] = {
      app,
      source: 'test',
      env: { ISSUER: DEFAULT_ISSUER },
      files: [{ path: 'keys.json', text: JSON.stringify(material[app]) }],
    };
  }
  const issued = {} as Record<AppName, string>;
  for (const app of APP_NAMES) {
    const name = getMode(mode).signingKey[app];
    const jwk = material['auth-service'].keys.find((key) => keyNameOf(key.kid ?? '') === name)!;
    issued[app] = await signWithJwk(jwk, accessTokenClaims({ iss: DEFAULT_ISSUER, aud: app, sub: 'alice', roles: ['user'] }));
  }
  const published: JsonWebKeySet | undefined = getMode(mode).publishesJwks
    ? { keys: material['auth-service'].keys.map(toPublicJwk) }
    : undefined;
  return { mode, issued, loot, published, backup };
}

function signatureVerifies(token: string, jwk: JWK): boolean {
  const end = token.lastIndexOf('.');
  const input = Buffer.from(token.slice(0, end), 'latin1');
  const signature = Buffer.from(token.slice(end + 1), 'base64url');
  if (jwk.kty === 'oct') return createHmac('sha256', Buffer.from(jwk.k!, 'base64url')).update(input).digest().equals(signature);
  return verify('sha256', input, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), signature);
}

/** Decodes a segment as a lenient parser would: either base64 alphabet, padding allowed, bad UTF-8 replaced, the last duplicate kept. */
const lenient = (segment: string) => JSON.parse(new TextDecoder().decode(Buffer.from(segment, 'base64'))) as Record<string, unknown>;

const tokenOf = (request: AttackRequest) => request.headers.authorization!.replace(/^Bearer /, '');

describe('the catalogue’s tampered tokens', () => {
  let attacker: Attacker;
  beforeAll(async () => {
    attacker = await createAttacker();
  });
  afterAll(() => attacker.close());

  // Each of these names one property; its token is signed with the key the target trusts, so that a
  // service refusing it refuses it for that property and not for a bad signature.
  const SIGNED_WITH_TRUSTED_KEY = [
    ...CATALOGUE.filter((attack) => attack.group === 'kid' && attack.id !== 'kid-retired').map((attack) => attack.id),
    ...CATALOGUE.filter((attack) => attack.group === 'claims').map((attack) => attack.id),
    ...['crit', 'b64-false', 'typ-missing', 'typ-jwt', 'typ-other', 'header-duplicate-alg', 'header-duplicate-kid'],
    ...['header-base64-alphabet', 'header-padded', 'header-not-json', 'header-not-utf8', 'claims-not-json', 'claims-not-utf8'],
    ...['claims-not-object', 'authorization-over-8k', 'authorization-8192', 'raw-signed', 'iat-skew', 'typ-media-type'],
  ];
  // And these are refused by strict parsing alone: read leniently, their header and claims are the valid ones.
  const ONLY_STRICT_PARSING_REFUSES = [
    'header-duplicate-alg',
    'header-duplicate-kid',
    'claims-duplicate-sub',
    'claims-duplicate-aud',
    'header-not-utf8',
    'claims-not-utf8',
    'header-base64-alphabet',
    'header-padded',
  ];

  it.each(MODE_NAMES)('in %s, carry a good signature of the trusted key wherever they name another property', async (mode) => {
    const setup = await offlineSetup(mode);
    for (const target of APP_NAMES) {
      const context = attackContext(setup, target, attacker);
      for (const id of SIGNED_WITH_TRUSTED_KEY) {
        const request = await byId(id).request(context);
        if ('unavailable' in request) throw new Error(`${id} unavailable: ${request.unavailable}`);
        expect({ id, target, verifies: signatureVerifies(tokenOf(request), context.trusted) }).toEqual({ id, target, verifies: true });
      }
      for (const id of ONLY_STRICT_PARSING_REFUSES) {
        const request = await byId(id).request(context);
        if ('unavailable' in request) throw new Error(`${id} unavailable`);
        const [header, claims] = tokenOf(request).split('.').slice(0, 2).map(lenient);
        expect({ id, alg: header!.alg, kid: header!.kid, aud: claims!.aud, sub: claims!.sub, iss: claims!.iss }).toEqual({
          id,
          alg: getMode(mode).alg,
          kid: context.trusted.kid,
          aud: target,
          sub: 'alice',
          iss: DEFAULT_ISSUER,
        });
      }
    }
  });

  it('are built for every target in every mode where an outcome is expected, and only there', async () => {
    for (const mode of MODE_NAMES) {
      const setup = await offlineSetup(mode);
      for (const target of APP_NAMES) {
        const context = attackContext(setup, target, attacker);
        for (const attack of CATALOGUE) {
          if (expectedOutcome(attack, mode, target) === 'n/a') continue;
          const request = await attack.request(context);
          expect({ mode, target, id: attack.id, built: !('unavailable' in request) }).toEqual({ mode, target, id: attack.id, built: true });
        }
      }
    }
  });

  it('are signed by a raw signer whose every algorithm verifies with jose', async () => {
    const claims = accessTokenClaims({ iss: DEFAULT_ISSUER, aud: 'mobile-api', sub: 'alice', roles: ['user'] });
    for (const [alg, jwk] of [
      ['HS384', attacker.keys.secret],
      ['HS512', attacker.keys.secret],
      ['RS512', attacker.keys.rsa],
      ['PS256', attacker.keys.rsa],
      ['PS512', attacker.keys.rsa],
      ['ES256', attacker.keys.ES256],
      ['ES384', attacker.keys.ES384],
      ['ES512', attacker.keys.ES512],
      ['EdDSA', attacker.keys.EdDSA],
    ] as const) {
      const key = await importJWK(jwk.kty === 'oct' ? { ...jwk, alg } : { ...toPublicJwk(jwk), alg }, alg);
      await expect(compactVerify(signRawJws(jwk, alg, { alg }, claims), key)).resolves.toBeDefined();
    }
  });
});

describe('the log scan', () => {
  it('finds key material, tokens and passwords in a service’s output, and names them without quoting them', async () => {
    const setup = await offlineSetup('per-app-secret');
    const secret = JSON.parse(setup.loot['dashboard-api'].files[0]!.text) as JsonWebKeySet;
    const tokens = new Map([[setup.issued['mobile-api'], "alice's token for mobile-api"]]);
    const logs = {
      'auth-service': ['{"level":"log","message":"listening"}', 'login for alice with wonderland-alice'],
      'dashboard-api': [`{"jwk":${JSON.stringify(secret.keys[0])}}`],
      'mobile-api': [`authorization: Bearer ${setup.issued['mobile-api']}`],
    };
    const leaks = scanLogs(logs, secretsOfRun(setup.loot, setup.backup, tokens));
    expect(leaks).toEqual([
      { app: 'auth-service', what: 'a demo password' },
      { app: 'dashboard-api', what: `key material of ${secret.keys[0]!.kid} (auth-service's loot, dashboard-api's loot)` },
      { app: 'mobile-api', what: "alice's token for mobile-api" },
    ]);
    expect(JSON.stringify(leaks)).not.toContain(secret.keys[0]!.k);
  });

  it('takes the credentials of a request from its Authorization header, its query string and its cookies', () => {
    expect(credentialsIn('/feed?access_token=aaa.bbb.ccc', { authorization: 'Bearer  ddd', cookie: 'jwt=eee; x=fff' })).toEqual([
      'Bearer  ddd',
      'ddd',
      'aaa.bbb.ccc',
      'eee',
      'fff',
    ]);
  });

  it('counts every request to the attacker’s server', async () => {
    await using attacker = await createAttacker();
    expect(attacker.fetches()).toBe(0);
    await fetch(attacker.jwksUrl);
    await fetch(attacker.x5uUrl);
    expect(attacker.fetches()).toBe(2);
  });
});

describe('the catalogue against the real stack in every mode', () => {
  let run: CatalogueRun;
  beforeAll(async () => {
    run = await runCatalogue({ modes: MODE_NAMES, driver: localDriver });
  });

  it('sends every attack to every service in every mode: one row per attack and mode', () => {
    expect(run.rows.map((row) => `${row.mode} ${row.id}`)).toEqual(
      MODE_NAMES.flatMap((mode) => CATALOGUE.map((attack) => `${mode} ${attack.id}`)),
    );
  });

  it('finds every row as the catalogue expects it, with none skipped', () => {
    expect({ mismatching: mismatching(run.rows), failures: failuresOf(run) }).toEqual({ mismatching: [], failures: [] });
  });

  it('answers every attack with a status the catalogue allows: never a 5xx', () => {
    const statuses = new Set(run.rows.flatMap((row) => APP_NAMES.flatMap((app) => (row.got[app].sent ? [row.got[app].status] : []))));
    expect([...statuses].sort()).toEqual([200, 401, 431]);
  });

  it('leaves every service alive, never fetches the attacker’s server, and logs no key, token or password', () => {
    expect(run.checks.map(({ mode, alive, attackerFetches, leaks }) => ({ mode, alive, attackerFetches, leaks }))).toEqual(
      MODE_NAMES.map((mode) => ({
        mode,
        alive: { 'auth-service': true, 'dashboard-api': true, 'mobile-api': true },
        attackerFetches: 0,
        leaks: [],
      })),
    );
    for (const check of run.checks) expect(check.logLines).toBeGreaterThan(CATALOGUE.length);
  });

  it(`matches ${ATTACKS_REPORT}, which npm run docs generates from such a run (verdicts and statuses, no timings)`, async () => {
    const [file, content] = Object.entries(renderAttackDocs(run))[0]!;
    expect({ file, content: await readFile(join(REPO_ROOT, file), 'utf8') }).toEqual({ file, content });
  });
});

describe('the catalogue runner against services that behave otherwise', () => {
  it('reports the rows that differ and the secrets in the logs: no audience check, and a log that quotes a key', async () => {
    let quoted: JWK | undefined;
    const misbehaving: StackDriver = {
      name: 'misbehaving',
      async start(mode, options) {
        const stack = await localDriver.start(mode, { ...options, insecure: true });
        return {
          ...stack,
          logs: async () => {
            const logs = await stack.logs!();
            quoted = JSON.parse((await stack.compromise('auth-service')).files[0]!.text).keys[0];
            return { ...logs, 'mobile-api': [...logs['mobile-api'], JSON.stringify(quoted)] };
          },
        };
      },
    };
    const attacks = ['valid-issued', 'aud-wrong', 'aud-missing', 'aud-array-foreign', 'claims-duplicate-aud'].map(byId);
    const run = await runCatalogue({ modes: ['rs256-jwks'], driver: misbehaving, attacks });
    expect(run.rows.filter((row) => row.verdict === 'mismatch').map((row) => row.id)).toEqual(['aud-wrong', 'aud-array-foreign']);
    expect(failuresOf(run)).toEqual([
      ...['aud-wrong', 'aud-array-foreign'].map(
        (id) => `[rs256-jwks] ${id}: ${APP_NAMES.map((app) => `${app} ACCEPTED 200, expected refused`).join('; ')}`,
      ),
      `[rs256-jwks] mobile-api's output quotes key material of ${quoted!.kid} (auth-service's loot)`,
    ]);
  });
});
