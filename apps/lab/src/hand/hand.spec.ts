import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAMES, generateKeySet, type AppName, type JsonWebKeySet, type ModeName } from '@jwt-blast-radius/keys';
import { secretValuesOf } from '@jwt-blast-radius/keys/testing';
import { fetchWithin } from '@jwt-blast-radius/process';
import { EXPECTED } from '../demo/expected';
import { startLocalStack, type LocalStack, signingKeysIn, type Loot, writeStackRecord, type StackRecord } from '@jwt-blast-radius/stack';
import { decodeToken } from './decode';
import { describeLoot, maskSecret } from './describe-loot';
import { HandError } from './errors';
import { adminUrlFor, forgeToken, pickSigningKey } from './forge';
import { readLootFile, writeLootFile } from './loot-file';
import { takeStackLoot } from './take-loot';

jest.setTimeout(120_000);

// The hand tools against the three services running as npm start runs them (free ports, fresh keys), found through
// a stack record written for them: loot each app, forge with what it holds, and send the forgeries for real.
describe.each<ModeName>(['per-app-secret', 'rs256-jwks'])('the hand tools against a running stack in %s', (mode) => {
  let dir: string;
  let stack: LocalStack;
  let stackFile: string;
  let material: Record<AppName, JsonWebKeySet>;
  const loots = {} as Record<AppName, Loot>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hand-'));
    material = await generateKeySet(mode);
    stack = await startLocalStack({ mode, material, keysDir: join(dir, 'keys'), logsDir: join(dir, 'logs') });
    stackFile = join(dir, 'stack.json');
    const services = Object.fromEntries(
      APP_NAMES.map((app) => [app, { pid: stack.services[app].child.pid!, url: stack.urls[app], logFile: stack.logFiles[app] }]),
    ) as StackRecord['services'];
    await writeStackRecord(stackFile, { mode, keysDir: join(dir, 'keys'), pid: process.pid, services });
    for (const app of APP_NAMES) loots[app] = await takeStackLoot(app, { stackFile });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes from each app exactly its own key set, from its process, as the lab does', () => {
    for (const app of APP_NAMES) {
      expect(loots[app]).toMatchObject({ app, source: `pid ${stack.services[app].child.pid}`, env: { AUTH_MODE: mode } });
      const stolen = signingKeysIn(loots[app]);
      expect(stolen).toEqual(material[app].keys.filter((jwk) => secretValuesOf({ keys: [jwk] }).length > 0));
    }
  });

  it('masks every secret value in the summary unless asked to reveal them', () => {
    for (const app of APP_NAMES) {
      const secrets = secretValuesOf(material[app]);
      const masked = describeLoot(loots[app]);
      const revealed = describeLoot(loots[app], { reveal: true });
      expect(secrets.filter((secret) => masked.includes(secret))).toEqual([]);
      expect(secrets.filter((secret) => !revealed.includes(secret))).toEqual([]);
      for (const secret of secrets) expect(masked).toContain(maskSecret(secret));
      expect(masked).toContain(`AUTH_MODE  ${mode}`);
      expect(masked).not.toMatch(/\nPATH\b/);
    }
  });

  it('says what each key can do, and what the expected matrix says a forgery opens', () => {
    const summary = describeLoot(loots['dashboard-api']);
    if (mode === 'per-app-secret') {
      expect(summary).toMatch(/dashboard-api\.[0-9a-f]{8} +oct +HS256 +sign and verify \(a secret\)\n +k + = .{4}…\(43 chars\)/);
      expect(summary).toContain('accepted by dashboard-api; refused by auth-service, mobile-api');
    } else {
      expect(summary).toContain('holds nothing that signs in rs256-jwks');
      expect(summary).toContain('refused by auth-service, dashboard-api, mobile-api');
      expect(describeLoot(loots['auth-service'])).toMatch(/issuer\.[0-9a-f]{8} +RSA +RS256 +sign \(a private key\)/);
    }
  });

  it('forges admin tokens that each target accepts or refuses as the expected matrix says', async () => {
    const found = {} as Record<AppName, Record<AppName, boolean>>;
    for (const compromised of APP_NAMES) {
      const kids = signingKeysIn(loots[compromised]).map((jwk) => jwk.kid!);
      found[compromised] = {} as Record<AppName, boolean>;
      for (const target of APP_NAMES) {
        const statuses = [];
        for (const kid of kids) {
          const { token } = await forgeToken(loots[compromised], { sub: 'admin', roles: ['admin'], aud: target, kid });
          const url = await adminUrlFor(loots[compromised], target, { stackFile });
          statuses.push((await fetchWithin(10_000, url, { headers: { authorization: `Bearer ${token}` } })).status);
        }
        found[compromised][target] = statuses.some((status) => status === 200);
        expect(statuses.every((status) => status === 200 || status === 401)).toBe(true);
      }
    }
    expect(found).toEqual(EXPECTED.secure[mode].forge);
  });

  it('refuses to forge from a loot that holds nothing that signs, naming the app', () => {
    const holdsNothing = APP_NAMES.filter((app) => signingKeysIn(loots[app]).length === 0);
    expect(holdsNothing).toEqual(mode === 'rs256-jwks' ? ['dashboard-api', 'mobile-api'] : []);
    for (const app of holdsNothing) {
      expect(() => pickSigningKey(loots[app])).toThrow(
        new HandError(
          'ERR_HAND_SIGNING_KEY',
          `the loot of ${app} (${loots[app].source}) holds nothing that signs: in ${mode}, ${app} holds no secret or private key, so it can only verify`,
        ),
      );
    }
  });

  it('names the kids when the loot holds several keys that sign and none is named', () => {
    const several = APP_NAMES.filter((app) => signingKeysIn(loots[app]).length > 1);
    expect(several).toEqual(mode === 'per-app-secret' ? ['auth-service'] : []);
    for (const app of several) {
      const kids = signingKeysIn(loots[app]).map((jwk) => jwk.kid!);
      expect(() => pickSigningKey(loots[app])).toThrow(
        `the loot of ${app} holds 3 keys that sign (${kids.join(', ')}): name one with --kid`,
      );
      expect(() => pickSigningKey(loots[app], 'mobile-api.00000000')).toThrow(/holds no key that signs with kid mobile-api\.00000000/);
    }
  });

  it('round-trips a forged token through decode, with the claims asked for and the lab’s issuer', async () => {
    const [app] = APP_NAMES.filter((name) => signingKeysIn(loots[name]).length === 1);
    const forged = await forgeToken(loots[app!], {
      sub: 'mallory',
      roles: ['admin', 'user'],
      aud: 'mobile-api',
      jti: 'jti-1',
      ttlSeconds: 120,
    });
    const decoded = decodeToken(`Bearer ${forged.token}`);
    expect(decoded.header).toEqual({ alg: forged.alg, kid: forged.kid, typ: 'at+jwt' });
    expect(decoded.claims).toEqual({ ...forged.claims });
    expect(decoded.claims).toMatchObject({
      iss: stack.urls['auth-service'],
      aud: 'mobile-api',
      sub: 'mallory',
      roles: ['admin', 'user'],
      jti: 'jti-1',
    });
    expect(Number(decoded.claims.exp) - Number(decoded.claims.iat)).toBe(120);
  });

  it('writes the loot file unmasked, readable by its owner alone, and reads it back whole', async () => {
    const path = join(dir, 'loot.json');
    await writeFile(path, 'an older file, readable by all\n', { mode: 0o644 });
    await writeLootFile(path, loots['auth-service']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readLootFile(path)).toEqual(loots['auth-service']);
  });
});

describe('looting when no npm start stack runs', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hand-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails with one line, exit status 1, with no record or the record of a stack that has stopped', async () => {
    const missing = await takeStackLoot('dashboard-api', { stackFile: join(dir, 'none.json') }).catch((error: HandError) => error);
    const ended = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = join(dir, 'stale.json');
    const service = { pid: ended, url: 'http://127.0.0.1:9', logFile: join(dir, 'x.jsonl') };
    await writeStackRecord(stale, {
      mode: 'per-app-secret',
      keysDir: dir,
      pid: ended,
      services: { 'auth-service': service, 'dashboard-api': service, 'mobile-api': service },
    });
    const stopped = await takeStackLoot('dashboard-api', { stackFile: stale }).catch((error: HandError) => error);

    expect([missing, stopped].map((error) => error instanceof HandError && [error.exitStatus, error.message])).toEqual([
      [1, 'no npm start stack is running: start one with npm start'],
      [1, `no npm start stack is running (the one recorded, pid ${ended}, has stopped): start one with npm start`],
    ]);
  });
});
