import { KeyObject, generateKeyPairSync, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JWK } from 'jose';
import { JWKS_SETTINGS, readKeysSettings } from './config';
import { KeysError } from './errors';
import { MAX_JWKS_BYTES, createRemoteKeySet, type JwksFetchEvent, type RemoteKeySetOptions } from './jwks';
import { JWKS_DEFAULTS } from './jwks-timings';
import { startJwksProcess, startSilentListener } from './testing';

const { cacheMaxAgeMs, cooldownMs, staleMs } = JWKS_DEFAULTS;
const cooldownSeconds = cooldownMs / 1000;

/** Waits until a listener of this process has accepted a connection: it sees one in a later turn of the loop. */
async function connected(listener: { readonly connections: number }): Promise<void> {
  while (listener.connections === 0) await sleep(10);
}

function rsaJwk(kid: string, members: Partial<JWK> = {}, { modulusLength = 2048, withPrivate = false } = {}): JWK {
  const pair = generateKeyPairSync('rsa', { modulusLength });
  const jwk = (withPrivate ? pair.privateKey : pair.publicKey).export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid, alg: 'RS256', use: 'sig', ...members };
}

/** A remote key set on a clock the test moves by hand, with the fetches it reports. */
function observedKeySet(url: string, options: RemoteKeySetOptions = {}) {
  let t = Date.UTC(2026, 0, 1);
  const events: JwksFetchEvent[] = [];
  const waiting: (() => void)[] = [];
  const keys = createRemoteKeySet(url, {
    ...options,
    now: () => t,
    onFetch(event) {
      events.push(event);
      for (const resolve of waiting.splice(0)) resolve();
    },
  });
  return {
    keys,
    events,
    advance: (ms: number) => void (t += ms),
    /** Resolves when the next fetch ends. */
    nextFetch: () => new Promise<void>((resolve) => waiting.push(resolve)),
    failed: () => events.filter((event) => event.outcome === 'failed').length,
    outcomes: () => events.map(({ trigger, outcome }) => `${trigger} ${outcome}`),
  };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeysError)) throw new Error('expected a KeysError');
  return { code: error.code, retryAfterSeconds: error.retryAfterSeconds };
}

function thrown(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeysError) return { code: error.code, setting: error.setting };
    throw error;
  }
  return undefined;
}

const times = <T>(count: number, make: () => T) => Array.from({ length: count }, make);
const unknownKid = { code: 'ERR_TOKEN_UNKNOWN_KID', retryAfterSeconds: undefined };
const unavailable = (retryAfterSeconds: number) => ({ code: 'ERR_JWKS_UNAVAILABLE', retryAfterSeconds });
const stranger = { alg: 'RS256', kid: 'issuer.0badc0de' };

describe('a remote key set', () => {
  let current: JWK;
  let next: JWK;

  beforeAll(() => {
    current = rsaJwk('issuer.00000001');
    next = rsaJwk('issuer.00000002');
  });

  it('fetches once for many requests of a kid it holds, and hands out one KeyObject', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const { keys } = observedKeySet(issuer.url);
    const header = { alg: 'RS256', kid: current.kid };

    const concurrent = await Promise.all(times(50, () => keys.getKey(header)));
    const sequential = [];
    for (let i = 0; i < 50; i += 1) sequential.push(await keys.getKey(header));

    expect(concurrent[0]).toBeInstanceOf(KeyObject);
    expect(concurrent[0]).toMatchObject({ type: 'public', asymmetricKeyType: 'rsa' });
    expect(new Set([...concurrent, ...sequential]).size).toBe(1);
    expect(keys.kids()).toEqual([current.kid]);
    expect(await issuer.served()).toBe(1);
  });

  it('serves the keys it holds once they are past their max age, and refetches them in the background', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url);
    const key = await set.keys.getKey({ kid: current.kid });
    await issuer.restart({ keys: [next] });

    set.advance(cacheMaxAgeMs);
    const refetched = set.nextFetch();
    const served = await Promise.all(times(20, () => set.keys.getKey({ kid: current.kid })));
    await refetched;

    expect(new Set(served)).toEqual(new Set([key]));
    expect(set.keys.kids()).toEqual([next.kid]);
    expect(set.outcomes()).toEqual(['first-use ok', 'expired ok']);
    expect(await issuer.served()).toBe(2);
  });

  it('never makes a request for a kid it holds wait on a refetch, even one that hangs', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url, { timeoutMs: 300 });
    const key = await set.keys.getKey({ kid: current.kid });
    await issuer.kill();
    await using hanging = await startSilentListener({ port: issuer.port });

    set.advance(cacheMaxAgeMs);
    const refetched = set.nextFetch();
    const served = await Promise.all(times(20, () => set.keys.getKey({ kid: current.kid })));
    const outcomesWhenServed = set.outcomes();
    await refetched;

    expect(new Set(served)).toEqual(new Set([key]));
    expect(outcomesWhenServed).toEqual(['first-use ok']);
    expect(set.outcomes()).toEqual(['first-use ok', 'expired failed']);
    await connected(hanging);
    expect(hanging.connections).toBe(1);
  });

  it('fetches at most once per cooldown for a flood of unknown kids', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url);
    await set.keys.getKey({ kid: current.kid });
    const flood = () => Promise.all(times(100, () => refusal(set.keys.getKey({ alg: 'RS256', kid: `issuer.${randomUUID()}` }))));

    expect(await flood()).toEqual(times(100, () => unknownKid));
    set.advance(cooldownMs - 1);
    await flood();
    expect(await issuer.served()).toBe(1);

    set.advance(1);
    expect(await flood()).toEqual(times(100, () => unknownKid));
    await flood();
    expect(await issuer.served()).toBe(2);

    set.advance(cooldownMs);
    await flood();
    await flood();
    expect(await issuer.served()).toBe(3);
    expect(await set.keys.getKey({ kid: current.kid })).toMatchObject({ type: 'public' });
  });

  it('shares one fetch among concurrent requests for the same unknown kid', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url);
    await set.keys.getKey({ kid: current.kid });
    set.advance(cooldownMs);

    expect(await Promise.all(times(50, () => refusal(set.keys.getKey(stranger))))).toEqual(times(50, () => unknownKid));
    expect(await issuer.served()).toBe(2);
  });

  it('finds a kid published later once the cooldown has passed', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url);
    await set.keys.getKey({ kid: current.kid });
    await issuer.restart({ keys: [current, next] });

    expect(await refusal(set.keys.getKey({ kid: next.kid }))).toEqual(unknownKid);
    set.advance(cooldownMs);

    expect(await set.keys.getKey({ kid: next.kid })).toMatchObject({ type: 'public' });
    expect(set.keys.kids()).toEqual([current.kid, next.kid]);
    expect(await issuer.served()).toBe(2);
  });

  it('keeps serving the keys it holds while the issuer is down, for the stale window at most, and recovers', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url);
    const header = { kid: current.kid };
    const key = await set.keys.getKey(header);
    await issuer.kill();

    // Past the max age, the held key serves while one background fetch fails.
    set.advance(cacheMaxAgeMs);
    let fetched = set.nextFetch();
    expect(new Set(await Promise.all(times(20, () => set.keys.getKey(header))))).toEqual(new Set([key]));
    await fetched;
    expect(set.failed()).toBe(1);

    // The failure is remembered for the cooldown: no fetch, and an unknown kid is refused as unknown.
    expect(await refusal(set.keys.getKey(stranger))).toEqual(unknownKid);
    set.advance(cooldownMs - 1);
    expect(await set.keys.getKey(header)).toBe(key);
    expect(await refusal(set.keys.getKey(stranger))).toEqual(unknownKid);
    expect(set.failed()).toBe(1);

    // One failed fetch per cooldown, through the stale window.
    set.advance(1);
    const windows = staleMs / cooldownMs;
    for (let window = 2; ; window += 1) {
      fetched = set.nextFetch();
      expect(await Promise.all([set.keys.getKey(header), set.keys.getKey(header)])).toEqual([key, key]);
      await fetched;
      expect(set.failed()).toBe(window);
      if (window === windows) break;
      set.advance(cooldownMs);
    }
    set.advance(cooldownMs - 1);
    expect(await set.keys.getKey(header)).toBe(key);
    expect(set.keys.kids()).toEqual([current.kid]);

    // Max age + stale window after the last good fetch, the held keys are no longer trusted.
    set.advance(1);
    expect(await refusal(set.keys.getKey(header))).toEqual(unavailable(cooldownSeconds));
    expect(set.keys.kids()).toEqual([]);
    set.advance(10_000);
    expect(await refusal(set.keys.getKey(header))).toEqual(unavailable(cooldownSeconds - 10));
    expect(await refusal(set.keys.getKey(stranger))).toEqual(unavailable(cooldownSeconds - 10));
    expect(set.failed()).toBe(windows + 1);

    // The issuer is back: the next allowed fetch recovers, in the same key set.
    await issuer.restart();
    set.advance(cooldownMs - 10_000 - 1000);
    expect(await refusal(set.keys.getKey(header))).toEqual(unavailable(1));
    set.advance(1000);
    expect(await set.keys.getKey(header)).toBe(key);
    expect(set.keys.kids()).toEqual([current.kid]);
    expect(set.failed()).toBe(windows + 1);
    expect(await issuer.served()).toBe(2);
    const reasons = set.events.flatMap(({ outcome, reason }) => (outcome === 'failed' ? [reason ?? ''] : []));
    expect(reasons.filter((reason) => !/^[A-Z][A-Z0-9_]*$/.test(reason))).toEqual([]);
  });

  it('refuses every kid while it has no keys and the issuer is down, and remembers the failure for the cooldown', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    await issuer.kill();
    const set = observedKeySet(issuer.url);
    const header = { kid: current.kid };

    expect(await Promise.all(times(20, () => refusal(set.keys.getKey(header))))).toEqual(times(20, () => unavailable(cooldownSeconds)));
    set.advance(10_000);
    expect(await refusal(set.keys.getKey(header))).toEqual(unavailable(cooldownSeconds - 10));
    expect(await refusal(set.keys.getKey(stranger))).toEqual(unavailable(cooldownSeconds - 10));
    expect(set.outcomes()).toEqual(['first-use failed']);

    await issuer.restart();
    set.advance(cooldownMs - 10_000);
    expect(await set.keys.getKey(header)).toMatchObject({ type: 'public' });
    expect(set.outcomes()).toEqual(['first-use failed', 'first-use ok']);
  });

  it('gives up on an issuer that never answers after the timeout, counted as a failure', async () => {
    await using hanging = await startSilentListener();
    const set = observedKeySet(hanging.url, { timeoutMs: 200 });

    expect(await refusal(set.keys.getKey({ kid: current.kid }))).toEqual(unavailable(cooldownSeconds));
    expect(await refusal(set.keys.getKey({ kid: current.kid }))).toEqual(unavailable(cooldownSeconds));

    expect(set.events.map(({ outcome, reason }) => `${outcome} ${reason}`)).toEqual(['failed TIMEOUT']);
    await connected(hanging);
    expect(hanging.connections).toBe(1);
  });

  it('reloads on demand, cooldown or not, and reports the kids it trusts', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url);
    await set.keys.getKey({ kid: current.kid });
    await issuer.restart({ keys: [current, next] });

    expect(await set.keys.reload()).toEqual([current.kid, next.kid]);
    expect(await set.keys.getKey({ kid: next.kid })).toMatchObject({ type: 'public' });
    expect(set.events.at(-1)).toMatchObject({ trigger: 'reload', outcome: 'ok', kids: [current.kid, next.kid] });
    expect(await issuer.served()).toBe(2);
  });

  it('keeps the keys it holds when a reload fails', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const set = observedKeySet(issuer.url);
    const key = await set.keys.getKey({ kid: current.kid });
    await issuer.kill();

    expect(await refusal(set.keys.reload())).toEqual(unavailable(cooldownSeconds));
    expect(set.keys.kids()).toEqual([current.kid]);
    expect(await set.keys.getKey({ kid: current.kid })).toBe(key);
  });

  it('trusts only RSA keys for RS256 signatures, of 2048 bits at least', async () => {
    const skipped: Record<string, JWK> = {
      'an oct key': { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTI1Ng', kid: 'skip.oct', alg: 'HS256' },
      'an RSA key of 1024 bits': rsaJwk('skip.rsa1024', {}, { modulusLength: 1024 }),
      'an RS384 key': rsaJwk('skip.rs384', { alg: 'RS384' }),
      'an encryption key': rsaJwk('skip.enc', { use: 'enc' }),
      'a key whose operations exclude verify': rsaJwk('skip.ops', { use: undefined, key_ops: ['encrypt'] }),
      'a published private key': rsaJwk('skip.private', {}, { withPrivate: true }),
      'an EC key': { ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as JWK), kid: 'skip.ec' },
      'two keys under one kid': rsaJwk('skip.twin'),
    };
    const keys = [current, ...Object.values(skipped), rsaJwk('skip.twin', { alg: undefined }), rsaJwk('', {}), { ...next, kid: undefined }];
    await using issuer = await startJwksProcess({ keys });
    const set = observedKeySet(issuer.url);

    expect(await set.keys.reload()).toEqual([current.kid]);
    const refusals = await Promise.all(
      Object.entries(skipped).map(async ([name, jwk]) => [name, (await refusal(set.keys.getKey({ kid: jwk.kid }))).code]),
    );
    expect(Object.fromEntries(refusals)).toEqual(Object.fromEntries(Object.keys(skipped).map((name) => [name, 'ERR_TOKEN_UNKNOWN_KID'])));
  });

  it.each([
    ['a body that is not JSON', '<html>secret-marker</html>', 'ERR_JWKS_INVALID'],
    ['JSON that is not a key set', '{"keys":"secret-marker"}', 'ERR_JWKS_INVALID'],
    ['a JSON array', '["secret-marker"]', 'ERR_JWKS_INVALID'],
    ['a body too large', JSON.stringify({ keys: [], note: 'secret-marker'.repeat(MAX_JWKS_BYTES / 10) }), 'ERR_JWKS_TOO_LARGE'],
  ])('counts %s as a failed fetch, without quoting it', async (_name, body, reason) => {
    await using issuer = await startJwksProcess(body);
    const set = observedKeySet(issuer.url);

    const error = await set.keys.reload().catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE', retryAfterSeconds: cooldownSeconds });
    expect(JSON.stringify(set.events) + (error as Error).message).not.toContain('secret-marker');
    expect(set.events.map((event) => `${event.outcome} ${event.reason}`)).toEqual([`failed ${reason}`]);
    expect(set.keys.kids()).toEqual([]);
  });

  it('refuses a header without a kid or for another algorithm, without a fetch', async () => {
    await using issuer = await startJwksProcess({ keys: [current] });
    const { keys } = observedKeySet(issuer.url);

    expect(await refusal(keys.getKey({ alg: 'RS256' }))).toEqual(unknownKid);
    expect(await refusal(keys.getKey({ alg: 'RS256', kid: 42 }))).toEqual(unknownKid);
    expect(await refusal(keys.getKey({ alg: 'HS256', kid: current.kid }))).toMatchObject({ code: 'ERR_TOKEN_HEADER' });
    expect(await issuer.served()).toBe(0);
  });

  it.each([
    ['a cooldown of 0', { cooldownMs: 0 }, 'cooldownMs'],
    ['a max age of 1.5 ms', { cacheMaxAgeMs: 1.5 }, 'cacheMaxAgeMs'],
    ['a negative stale window', { staleMs: -1 }, 'staleMs'],
    ['a timeout that is not a number', { timeoutMs: NaN }, 'timeoutMs'],
  ])('refuses %s, naming the option', (_name, options, setting) => {
    expect(thrown(() => createRemoteKeySet('http://127.0.0.1:1/jwks.json', options))).toEqual({ code: 'ERR_KEYS_CONFIG', setting });
  });

  it('refuses a JWKS URL that is not http or https', () => {
    expect(thrown(() => createRemoteKeySet('file:///etc/jwks.json'))).toEqual({ code: 'ERR_KEYS_CONFIG', setting: 'url' });
  });
});

describe('the JWKS settings', () => {
  it('default to the remote key set defaults', () => {
    expect(readKeysSettings({}, 'dashboard-api').jwks).toEqual(JWKS_DEFAULTS);
  });

  it.each(JWKS_SETTINGS)('read $name in its unit', ({ name, option, unitMs, min, max }) => {
    expect(readKeysSettings({ [name]: String(max) }, 'mobile-api').jwks).toEqual({ ...JWKS_DEFAULTS, [option]: max * unitMs });
    expect(readKeysSettings({ [name]: ` ${min} ` }, 'mobile-api').jwks).toEqual({ ...JWKS_DEFAULTS, [option]: min * unitMs });
  });

  const badValues = JWKS_SETTINGS.flatMap(({ name, min, max }) =>
    ['-1', '1.5', '1e3', '0x10', 'ten', String(max + 1), ...(min > 0 ? [String(min - 1)] : [])].map((value) => [name, value] as const),
  );
  it.each(badValues)('refuse %s=%j, naming the setting', (name, value) => {
    expect(thrown(() => readKeysSettings({ [name]: value }, 'mobile-api'))).toEqual({ code: 'ERR_KEYS_CONFIG', setting: name });
  });
});
