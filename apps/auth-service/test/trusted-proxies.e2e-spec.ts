import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODE } from '@jwt-blast-radius/keys';
import { spawnWithFreshKeys, type LoggedService } from '@jwt-blast-radius/service-kit/testing';

// The auth service behind a proxy on loopback: every client arrives from the proxy's address. The login limits
// count per client address, so without TRUSTED_PROXIES every client shares the proxy's; with it, the client is
// the address the proxy names in X-Forwarded-For, and a header from anyone else is not believed.
const main = join(__dirname, '..', 'dist', 'main.js');
const limits = { LOGIN_ATTEMPTS_PER_ADDRESS: '2', LOGIN_ATTEMPTS_PER_USER: '100' };

describe.each([
  ['with no proxy trusted', {}, { first: [401, 401, 429], second: 429, logged: '127.0.0.1' }],
  ['with TRUSTED_PROXIES=loopback', { TRUSTED_PROXIES: 'loopback' }, { first: [401, 401, 429], second: 401, logged: '203.0.113.7' }],
  [
    'with TRUSTED_PROXIES naming another proxy',
    { TRUSTED_PROXIES: '10.0.0.0/8' },
    { first: [401, 401, 429], second: 429, logged: '127.0.0.1' },
  ],
] as const)('the login limits of auth-service %s', (_, settings, expected) => {
  let dir: string;
  let service: LoggedService;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proxies-'));
    ({ service } = await spawnWithFreshKeys(main, {
      app: 'auth-service',
      mode: DEFAULT_MODE,
      keysDir: dir,
      settings: { ...limits, ...settings },
    }));
  });
  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const guess = async (client: string) =>
    (
      await fetch(`${service.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
        body: JSON.stringify({ username: 'alice', password: 'a-wrong-guess-1234', audience: 'dashboard-api' }),
      })
    ).status;

  it('counts each client as the trusted proxy says, or all of them as the proxy', async () => {
    const first = [await guess('203.0.113.7'), await guess('203.0.113.7'), await guess('203.0.113.7')];
    const second = await guess('198.51.100.9');
    expect({ first, second }).toEqual({ first: expected.first, second: expected.second });
    expect(service.events('login')[0]).toMatchObject({ address: expected.logged });
  });
});
