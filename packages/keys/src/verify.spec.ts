import { APP_NAMES, type AppName } from './apps';
import { generateKeySet } from './generate';
import type { JsonWebKeySet } from './keyset';
import { MODE_NAMES } from './modes';
import { createKeyRing } from './ring';
import { buildVerificationCases, startJwksServer, type JwksServer } from './testing';
import { createVerifier } from './verify';
import { publicJwks } from './jwks';
import type { KeysSettings } from './config';

const issuer = 'http://127.0.0.1:3000';

describe.each(MODE_NAMES)('the verifiers of %s', (mode) => {
  let material: Record<AppName, JsonWebKeySet>;
  let jwksServer: JwksServer;

  beforeAll(async () => {
    material = await generateKeySet(mode);
    const issuerRing = await createKeyRing(settingsFor(mode, 'auth-service', ''), material['auth-service']);
    jwksServer = await startJwksServer(publicJwks(issuerRing) ?? { keys: [] });
  });
  afterAll(() => jwksServer.close());

  describe.each(APP_NAMES)('for the audience %s', (audience) => {
    it('accept and refuse each token of the table as the mode says', async () => {
      const ring = await createKeyRing(settingsFor(mode, audience, jwksServer.url), material[audience]);
      const verifier = createVerifier(ring);
      const cases = await buildVerificationCases({ mode, material, audience, issuer });
      const outcomes = await Promise.all(
        cases.map(async ({ name, token }) => [
          name,
          await verifier.verifyAccessToken(token).then(
            () => 'accept',
            () => 'refuse',
          ),
        ]),
      );
      expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(cases.map(({ name, expected }) => [name, expected])));
    });
  });

  it("accept another app's key exactly where that app holds the same key", async () => {
    const cases = await buildVerificationCases({ mode, material, audience: 'dashboard-api', issuer });
    const otherKeyCase = cases.find((c) => c.name.startsWith('signed with'))!;
    const expected = { 'shared-hs256': 'accept', 'per-app-secret': 'refuse', 'rs256-jwks': 'refuse' }[mode];
    expect(otherKeyCase.expected).toBe(expected);
  });
});

function settingsFor(mode: string, app: AppName, jwksUrl: string): KeysSettings {
  return { app, mode: mode as KeysSettings['mode'], keyFile: undefined, issuer, jwksUrl, audienceCheck: true };
}
