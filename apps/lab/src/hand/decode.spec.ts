import { generateKeySet } from '@jwt-blast-radius/keys';
import { accessTokenClaims, encodeSegment, signWithJwk, unsecuredToken } from '@jwt-blast-radius/attacker';
import { decodeToken, formatDecoded } from './decode';
import { HandError } from './errors';
import { relativeTo, spanOf } from './times';

// `npm run lab -- decode`, at a frozen time: what a token says, never its signature, and never taken for verified.
const NOW = 1_800_000_000;

describe('decoding a token', () => {
  let token: string;
  let signature: string;

  beforeAll(async () => {
    const [secret] = (await generateKeySet('shared-hs256'))['auth-service'].keys;
    const claims = accessTokenClaims({ iss: 'http://127.0.0.1:3000', aud: 'mobile-api', sub: 'admin', roles: ['admin'] }, NOW - 60);
    token = await signWithJwk(secret!, claims);
    signature = token.split('.')[2]!;
  });

  it('prints header, claims and times as JSON and ISO instants, says it verified nothing, and never shows the signature', () => {
    const shown = formatDecoded(decodeToken(token), NOW);
    expect(shown).toContain('"typ": "at+jwt"');
    expect(shown).toContain('"roles": [\n    "admin"\n  ]');
    expect(shown).toContain('  iat  2027-01-15T07:59:00Z  (issued 60 s ago)');
    expect(shown).toContain('  exp  2027-01-15T08:04:00Z  (expires in 4 min)');
    expect(shown).toContain('  nbf  none');
    expect(shown).toContain(`signature: ${signature.length} characters, not shown`);
    expect(shown).toContain('decoding verifies nothing');
    expect(shown).not.toContain(signature);
  });

  it('says a token has expired, and how long ago', () => {
    expect(formatDecoded(decodeToken(token), NOW + 360)).toContain('(expired 2 min ago)');
  });

  it('reads a token given as a Bearer header value, and one with no signature', () => {
    expect(decodeToken(`  Bearer ${token}\n`).claims.sub).toBe('admin');
    const unsecured = decodeToken(unsecuredToken({ sub: 'x' }));
    expect(unsecured).toEqual({ header: { alg: 'none', typ: 'at+jwt' }, claims: { sub: 'x' }, signatureLength: 0 });
    expect(formatDecoded(unsecured, NOW)).toContain('signature: none');
  });

  it.each([
    ['one part', 'not-a-token', 'not a JWT: 1 part where a JWS has three, separated by dots'],
    ['an encrypted token', 'a.b.c.d.e', 'not a JWT: five parts: an encrypted token (JWE), whose claims cannot be read without its key'],
    ['a header that is not base64url', '%%%.e30.sig', 'not a JWT: the header segment is not base64url'],
    [
      'claims that are not JSON',
      `${encodeSegment('{"alg":"HS256"}')}.${encodeSegment('not json')}.c2ln`,
      'not a JWT: the claims segment is not JSON',
    ],
    [
      'claims that are not an object',
      `${encodeSegment('{"alg":"HS256"}')}.${encodeSegment('[1]')}.c2ln`,
      'not a JWT: the claims segment is not a JSON object',
    ],
  ])('refuses %s in one line that never quotes it', (_case, input, message) => {
    let error: unknown;
    try {
      decodeToken(input);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(HandError);
    expect({ status: (error as HandError).exitStatus, message: (error as HandError).message }).toEqual({ status: 2, message });
  });

  it.each([
    [30, 'in 30 s'],
    [-89, '89 s ago'],
    [240, 'in 4 min'],
    [-3 * 3600, '3 h ago'],
    [5 * 86_400, 'in 5 days'],
    [0, 'now'],
  ])('says %i s from now as "%s"', (delta, said) => {
    expect(relativeTo(NOW + delta, NOW)).toBe(said);
    expect(spanOf(delta)).toBe(said.replace(/^in | ago$/g, '').replace('now', '0 s'));
  });
});
