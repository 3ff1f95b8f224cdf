import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { generateKeySet } from '@jwt-blast-radius/keys';
import { startLocalStack, type LocalStack } from '@jwt-blast-radius/stack';
import { harvestToken } from './probes';

jest.setTimeout(120_000);

// A stack that already served logins this minute (the demo, then the catalogue, run against one compose stack)
// answers 429 with Retry-After: the lab waits it out, as a client should.
describe('harvesting a token from a login door that says to wait', () => {
  let dir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'probes-'));
    const mode = 'rs256-jwks';
    stack = await startLocalStack({
      mode,
      material: await generateKeySet(mode),
      keysDir: join(dir, 'keys'),
      logsDir: join(dir, 'logs'),
      settings: { LOGIN_ATTEMPTS_PER_USER: '1', LOGIN_WINDOW_SECONDS: '1' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("waits as the 429's Retry-After says, saying so, then logs in", async () => {
    const said: string[] = [];
    const authUrl = stack.urls['auth-service'];
    await harvestToken(authUrl, 'dashboard-api', (line) => said.push(line));
    const token = await harvestToken(authUrl, 'mobile-api', (line) => said.push(line));
    expect(decodeJwt(token).aud).toBe('mobile-api');
    expect(said).toEqual([expect.stringMatching(/^the login door answered 429 for mobile-api: waiting \d+ s, as its Retry-After says$/)]);
  });
});
