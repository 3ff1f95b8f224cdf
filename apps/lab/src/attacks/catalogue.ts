import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { MAX_AUTHORIZATION_LENGTH, keyNameOf, toPublicJwk } from '@jwt-blast-radius/keys';
import {
  encodeSegment,
  jsonWithDuplicate,
  signRawJws,
  signSigningInput,
  signWithJwk,
  signWithPublicKeyAsSecret,
  tamperPayload,
  type RawSegment,
  type RawSigningKey,
  attackerKeyFor,
} from '@jwt-blast-radius/attacker';
import type { JWK } from 'jose';
import type { Attack, AttackContext, AttackRequest, Expectation, Outcome, Unavailable } from './types';

const expect = (outcome: Outcome, modes?: Expectation['modes']): Expectation =>
  modes ? { default: outcome, modes } : { default: outcome };
const ACCEPTED = expect('accepted');
const REFUSED = expect('refused');
const NO_TOKEN = expect('no-token');
/** The HS modes publish no public key: there is nothing to confuse an HMAC secret with. */
const RS256_ONLY = expect('refused', { 'shared-hs256': 'n/a', 'per-app-secret': 'n/a' });

const YEAR = 365 * 24 * 3600;

const bearer = (token: string, scheme = 'Bearer ', path?: string): AttackRequest => ({
  ...(path ? { path } : {}),
  headers: { authorization: `${scheme}${token}` },
});

/** The protected header the auth service writes for the target, with changes (`undefined` leaves a member out). */
function headerFor(c: AttackContext, changes: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return withoutUndefined({ alg: c.alg, typ: 'at+jwt', kid: c.trusted.kid, ...changes });
}

function withoutUndefined(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined));
}

/** A token signed with the key the target trusts: the claims and header it accepts, with changes. */
function signed(c: AttackContext, claims: Readonly<Record<string, unknown>> = {}, header: Readonly<Record<string, unknown>> = {}): string {
  return signRawJws(c.trusted, c.alg, headerFor(c, header), c.claims(claims));
}

/** Raw segments signed with the key the target trusts. */
function signedRaw(c: AttackContext, header: RawSegment, claims: RawSegment): string {
  return signRawJws(c.trusted, c.alg, header, claims);
}

function unsigned(header: Readonly<Record<string, unknown>>, claims: Readonly<Record<string, unknown>>): string {
  return `${encodeSegment(JSON.stringify(header))}.${encodeSegment(JSON.stringify(claims))}.`;
}

const unavailable = (reason: string): Unavailable => ({ unavailable: reason });

function publishedKey(c: AttackContext): JWK | undefined {
  return c.published?.keys.find((jwk) => jwk.kid === c.trusted.kid) ?? c.published?.keys[0];
}

/** The PEM text of a public key: what a verifier that confuses algorithms would use as an HMAC secret. */
function publicPem(jwk: JWK): string {
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

/**
 * The key an unpinned algorithm is signed with: the trusted key where its family allows (an HS secret
 * for HS*, the issuer's RSA key for RS* and PS*); the issuer's published public key as an HMAC secret
 * for HS* in rs256-jwks; else the attacker's own key of that family.
 */
function keyForAlgorithm(c: AttackContext, alg: string): RawSigningKey {
  const family = alg.slice(0, 2);
  if (family === 'HS' && c.trusted.kty === 'oct') return c.trusted;
  if ((family === 'RS' || family === 'PS') && c.trusted.kty === 'RSA') return c.trusted;
  const published = publishedKey(c);
  if (family === 'HS' && published) return publicPem(published);
  return attackerKeyFor(c.attacker, alg);
}

/** The attacker's key of the mode's own family: a secret for HS256, an RSA key for RS256. */
const attackerKey = (c: AttackContext) => attackerKeyFor(c.attacker, c.alg);

/** A token signed with the target's key whose Authorization header (`Bearer <token>`) is exactly `length` bytes. */
function signedOfAuthorizationLength(c: AttackContext, length: number): string {
  const want = length - 'Bearer '.length;
  const signature = signed(c).split('.')[2]!.length;
  for (let spaces = 0; spaces < 4; spaces += 1) {
    const header = `{${' '.repeat(spaces)}${JSON.stringify(headerFor(c)).slice(1)}`;
    const base = JSON.stringify({ ...c.claims(), pad: '' }).length;
    const room = want - encodeSegment(header).length - signature - 2;
    for (let pad = Math.max(0, Math.floor((room * 3) / 4) - base - 2); pad <= Math.floor((room * 3) / 4) - base + 2; pad += 1) {
      const claims = { ...c.claims(), pad: 'p'.repeat(pad) };
      if (encodeSegment(JSON.stringify(claims)).length === room) return signedRaw(c, header, claims);
    }
  }
  throw new Error(`no token makes an Authorization header of exactly ${length} bytes`);
}

/**
 * Header JSON whose base64url has characters the two base64 alphabets write differently: three `~` in a
 * member of no meaning put 0x7E at the end of a 3-byte group, which base64url writes `-` and base64 `+`.
 */
function headerNeedingBase64Alphabet(c: AttackContext): string {
  return JSON.stringify(headerFor(c, { note: '~~~' }));
}

/** Header JSON whose base64 needs padding. */
function headerNeedingPadding(c: AttackContext): string {
  const text = JSON.stringify(headerFor(c));
  return text.length % 3 === 0 ? `{ ${text.slice(1)}` : text;
}

/** A claim value holding a byte that is not UTF-8 (0xFF), which a lenient decoder turns into U+FFFD. */
function withInvalidUtf8(json: string, member: string): Buffer {
  const close = json.lastIndexOf('}');
  return Buffer.concat([Buffer.from(`${json.slice(0, close)},"${member}":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
}

/** `alg: none` as written by hand, each with the id of its row. */
const NONE_SPELLINGS = [
  ['none', 'alg-none'],
  ['None', 'alg-none-title-case'],
  ['NONE', 'alg-none-upper-case'],
  ['nOnE', 'alg-none-mixed-case'],
] as const;
/** What {@link keyForAlgorithm} signs each family with, in words. */
const UNPINNED_KEYS: Readonly<Record<string, string>> = {
  HS: 'signed with the trusted secret (in rs256-jwks: the published key as the secret)',
  RS: "signed with the issuer's RSA key (in the HS modes: the attacker's)",
  PS: "signed with the issuer's RSA key (in the HS modes: the attacker's)",
  ES: "signed with the attacker's key (no trusted key is of its family)",
  Ed: "signed with the attacker's key (no trusted key is of its family)",
};
const UNPINNED = ['HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/**
 * The attack catalogue: every classic JWT attack, as one table. The runner sends each entry to every
 * service in every mode, the reports and docs show it, and the tests check it, all from this table.
 */
export const CATALOGUE: readonly Attack[] = [
  // Controls: the same channel and verifier accept what they should, so that a refusal below means something.
  {
    id: 'valid-issued',
    group: 'control',
    title: 'Valid issued token',
    tries: 'The token the auth service issued to alice for the target, untouched.',
    expected: ACCEPTED,
    request: (c) => bearer(c.issued[c.target]),
  },
  {
    id: 'insider-signed',
    group: 'control',
    title: 'Insider-signed token',
    tries: 'A token the compromised auth service signs (with jose) with the key the target trusts and correct claims.',
    expected: ACCEPTED,
    request: async (c) => bearer(await signWithJwk(c.trusted, c.claims(), { alg: c.alg })),
  },
  {
    id: 'raw-signed',
    group: 'control',
    title: 'Raw-signed token',
    tries: 'The same, signed by the raw signer every tampered row below uses: its signatures are sound.',
    expected: ACCEPTED,
    request: (c) => bearer(signed(c)),
  },
  {
    id: 'scheme-lower-case',
    group: 'control',
    title: '`bearer` in lower case',
    tries: 'The valid token after the scheme written `bearer` (RFC 7235: schemes are case-insensitive).',
    expected: ACCEPTED,
    request: (c) => bearer(c.issued[c.target], 'bearer '),
  },
  {
    id: 'scheme-upper-case',
    group: 'control',
    title: '`BEARER` in upper case',
    tries: 'The valid token after the scheme written `BEARER`.',
    expected: ACCEPTED,
    request: (c) => bearer(c.issued[c.target], 'BEARER '),
  },
  {
    id: 'two-spaces',
    group: 'control',
    title: 'Two spaces after Bearer',
    tries: 'The valid token after `Bearer` and two spaces (RFC 6750: one or more).',
    expected: ACCEPTED,
    request: (c) => bearer(c.issued[c.target], 'Bearer  '),
  },
  {
    id: 'iat-skew',
    group: 'control',
    title: 'iat 2 s ahead',
    tries: 'A token issued 2 seconds in the future, as a clock slightly ahead would issue it.',
    expected: ACCEPTED,
    request: (c) => bearer(signed(c, { iat: c.now + 2, exp: c.now + 302 })),
  },
  {
    id: 'typ-media-type',
    group: 'control',
    title: 'typ application/at+jwt',
    tries: 'typ written as the full media type `application/at+jwt` (RFC 7515 §4.1.9).',
    expected: ACCEPTED,
    request: (c) => bearer(signed(c, {}, { typ: 'application/at+jwt' })),
  },
  {
    id: 'typ-upper-case',
    group: 'control',
    title: 'typ AT+JWT',
    tries: 'typ in upper case (media types are case-insensitive).',
    expected: ACCEPTED,
    request: (c) => bearer(signed(c, {}, { typ: 'AT+JWT' })),
  },
  {
    id: 'aud-array-self',
    group: 'control',
    title: 'aud an array of the target alone',
    tries: 'aud written as an array that holds only the target.',
    expected: ACCEPTED,
    request: (c) => bearer(signed(c, { aud: [c.target] })),
  },
  {
    id: 'authorization-8192',
    group: 'control',
    title: 'Authorization of exactly 8192 bytes',
    tries: 'A valid token padded with a claim until its Authorization header is exactly at the 8192-byte limit.',
    expected: ACCEPTED,
    request: (c) => bearer(signedOfAuthorizationLength(c, MAX_AUTHORIZATION_LENGTH)),
  },

  // The algorithm.
  ...NONE_SPELLINGS.map(([spelling, id]): Attack => ({
    id,
    group: 'algorithm',
    title: `alg "${spelling}"`,
    tries: `An unsecured token (alg "${spelling}", empty signature) with the trusted kid and correct claims.`,
    expected: REFUSED,
    request: (c) => bearer(unsigned(headerFor(c, { alg: spelling }), c.claims())),
  })),
  {
    id: 'signature-empty',
    group: 'algorithm',
    title: 'Empty signature',
    tries: "The mode's algorithm in the header, and an empty third segment.",
    expected: REFUSED,
    request: (c) => bearer(signed(c).replace(/[^.]*$/, '')),
  },
  {
    id: 'signature-stripped',
    group: 'algorithm',
    title: 'Signature stripped',
    tries: 'A signed token cut down to two segments, header and claims.',
    expected: REFUSED,
    request: (c) => bearer(signed(c).replace(/\.[^.]*$/, '')),
  },
  {
    id: 'confusion-public-pem',
    group: 'algorithm',
    title: 'HS256 with the published key as PEM',
    tries: "HS256 whose HMAC secret is the issuer's published RSA public key, as PEM text.",
    expected: RS256_ONLY,
    request: async (c) => {
      const jwk = publishedKey(c);
      return jwk ? bearer(await signWithPublicKeyAsSecret(jwk, c.claims())) : unavailable('no published key');
    },
  },
  {
    id: 'confusion-public-jwk',
    group: 'algorithm',
    title: 'HS256 with the published key as JWK',
    tries: "HS256 whose HMAC secret is the issuer's published JWK, as its JSON text.",
    expected: RS256_ONLY,
    request: (c) => {
      const jwk = publishedKey(c);
      return jwk
        ? bearer(signRawJws(JSON.stringify(jwk), 'HS256', headerFor(c, { alg: 'HS256', kid: jwk.kid }), c.claims()))
        : unavailable('no published key');
    },
  },
  ...UNPINNED.map((alg): Attack => ({
    id: `alg-${alg.toLowerCase()}`,
    group: 'algorithm',
    title: `alg ${alg}`,
    tries: `${alg} with the trusted kid, ${UNPINNED_KEYS[alg.slice(0, 2)]}.`,
    expected: alg === 'RS256' ? expect('refused', { 'rs256-jwks': 'n/a' }) : REFUSED,
    request: (c) => bearer(signRawJws(keyForAlgorithm(c, alg), alg, headerFor(c, { alg }), c.claims())),
  })),

  // The key.
  {
    id: 'another-app-key',
    group: 'key',
    title: "Another app's key",
    tries: "Correct claims for the target signed with another API's key, taken by compromising that API (n/a: it holds none).",
    expected: expect('refused', { 'shared-hs256': 'accepted', 'rs256-jwks': 'n/a' }),
    request: (c) =>
      c.otherAppKey
        ? bearer(signRawJws(c.otherAppKey, c.alg, headerFor(c, { kid: c.otherAppKey.kid }), c.claims()))
        : unavailable(`${c.otherApp} holds no key`),
  },
  {
    id: 'attacker-key',
    group: 'key',
    title: "The attacker's key, trusted kid",
    tries: "Correct claims and the trusted kid, signed with the attacker's own key of the mode's algorithm.",
    expected: REFUSED,
    request: (c) => bearer(signRawJws(attackerKey(c), c.alg, headerFor(c), c.claims())),
  },
  {
    id: 'retired-key',
    group: 'key',
    title: 'A retired key',
    tries: 'Correct claims signed with the version of the key retired by the last rotation, as found in an old backup.',
    expected: REFUSED,
    request: (c) =>
      c.retired
        ? bearer(signRawJws(c.retired, c.alg, headerFor(c, { kid: c.retired.kid }), c.claims()))
        : unavailable('the driver keeps no retired key'),
  },

  // The key id: each signed with the trusted key, so that only the kid check can refuse it.
  ...(
    [
      [
        'kid-path-traversal',
        'kid path traversal',
        'kid `../../../../../../dev/null`, a file whose content an HMAC would take as an empty secret.',
        '../../../../../../dev/null',
      ],
      [
        'kid-sql',
        'kid SQL injection',
        "kid `x' UNION SELECT 'secret' --`, as a key table lookup would run it.",
        "x' UNION SELECT 'secret' --",
      ],
      ['kid-shell', 'kid shell injection', 'kid `$(id)|id;`, as a key command would run it.', '$(id)|id;`id`'],
      ['kid-empty', 'kid empty', 'An empty kid.', ''],
      ['kid-long', 'kid of 4,000 characters', 'A kid of 4,000 characters, the token still under the size limit.', 'k'.repeat(4_000)],
      [
        'kid-huge',
        'kid of 10,000 characters',
        'A kid of 10,000 characters (the header alone is then over the size limit).',
        'k'.repeat(10_000),
      ],
      ['kid-number', 'kid a number', 'kid the number 1 instead of a string.', 1],
      ['kid-object', 'kid an object', 'kid a JSON object (`{"$ne": null}`), as a document query would take it.', { $ne: null }],
    ] as const
  ).map(([id, title, tries, kid]): Attack => ({
    id,
    group: 'kid',
    title,
    tries: `${tries} Signed with the trusted key.`,
    expected: REFUSED,
    request: (c) => bearer(signed(c, {}, { kid })),
  })),
  {
    id: 'kid-missing',
    group: 'kid',
    title: 'kid missing',
    tries: 'No kid at all, signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signed(c, {}, { kid: undefined })),
  },
  {
    id: 'kid-unknown',
    group: 'kid',
    title: 'kid unknown',
    tries: 'A well-formed kid the target never trusted (`<key name>.00000000`), signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signed(c, {}, { kid: `${keyNameOf(c.trusted.kid ?? '')}.00000000` })),
  },
  {
    id: 'kid-retired',
    group: 'kid',
    title: 'kid retired',
    tries: 'The kid of the version retired by the last rotation, signed with the current trusted key.',
    expected: REFUSED,
    request: (c) => (c.retired ? bearer(signed(c, {}, { kid: c.retired.kid })) : unavailable('the driver keeps no retired key')),
  },

  // Other header members.
  {
    id: 'jku',
    group: 'header',
    title: 'jku to the attacker JWKS',
    tries: "jku pointing at the attacker's JWKS (which serves the attacker's key under the trusted kid), signed with that key.",
    expected: REFUSED,
    request: (c) => bearer(signRawJws(attackerKey(c), c.alg, headerFor(c, { jku: c.attacker.jwksUrl }), c.claims())),
  },
  {
    id: 'x5u',
    group: 'header',
    title: 'x5u to the attacker',
    tries: "x5u pointing at the attacker's server, signed with the attacker's key.",
    expected: REFUSED,
    request: (c) => bearer(signRawJws(attackerKey(c), c.alg, headerFor(c, { x5u: c.attacker.x5uUrl }), c.claims())),
  },
  {
    id: 'jwk-embedded',
    group: 'header',
    title: 'Embedded jwk (CVE-2018-0114)',
    tries: "The attacker's key embedded in the header as `jwk` (a secret in the HS modes), the trusted kid, signed with it.",
    expected: REFUSED,
    request: (c) => {
      const key = attackerKey(c);
      return bearer(signRawJws(key, c.alg, headerFor(c, { jwk: key.kty === 'oct' ? key : toPublicJwk(key) }), c.claims()));
    },
  },
  {
    id: 'x5c-embedded',
    group: 'header',
    title: 'Embedded x5c',
    tries: "A self-signed attacker certificate as `x5c`, the trusted kid, signed RS256 with the certificate's key.",
    expected: REFUSED,
    request: (c) =>
      bearer(signRawJws(c.attacker.keys.rsa, 'RS256', headerFor(c, { alg: 'RS256', x5c: [c.attacker.certificate] }), c.claims())),
  },
  {
    id: 'crit',
    group: 'header',
    title: 'crit extension',
    tries: 'crit naming an extension (`urn:example:policy`) that is present, signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signed(c, {}, { crit: ['urn:example:policy'], 'urn:example:policy': true })),
  },
  {
    id: 'b64-false',
    group: 'header',
    title: 'b64 false (RFC 7797)',
    tries: "`b64: false` with crit ['b64'], signed over the payload as written, so it verifies either way it is read.",
    expected: REFUSED,
    // The unencoded payload is the base64url of the claims: a verifier that honours b64 and one that
    // ignores it both find a good signature, so only the crit check can refuse the token.
    request: (c) =>
      bearer(
        signRawJws(c.trusted, c.alg, headerFor(c, { b64: false, crit: ['b64'] }), encodeSegment(JSON.stringify(c.claims())), {
          unencodedPayload: true,
        }),
      ),
  },
  {
    id: 'typ-missing',
    group: 'header',
    title: 'typ missing',
    tries: 'No typ (RFC 9068 requires at+jwt), signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signed(c, {}, { typ: undefined })),
  },
  {
    id: 'typ-jwt',
    group: 'header',
    title: 'typ JWT',
    tries: 'typ `JWT`, as an ID token or another plain JWT carries it, signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signed(c, {}, { typ: 'JWT' })),
  },
  {
    id: 'typ-other',
    group: 'header',
    title: 'typ dpop+jwt',
    tries: 'typ of another kind of JWT (`dpop+jwt`, a DPoP proof), signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signed(c, {}, { typ: 'dpop+jwt' })),
  },
  {
    id: 'header-duplicate-alg',
    group: 'header',
    title: 'alg named twice',
    tries: 'alg twice in the header, `none` then the right one (which JSON.parse keeps), signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, jsonWithDuplicate(headerFor(c), 'alg', 'none'), c.claims())),
  },
  {
    id: 'header-duplicate-kid',
    group: 'header',
    title: 'kid named twice',
    tries: "kid twice in the header, the attacker's then the trusted one (which JSON.parse keeps), signed with the trusted key.",
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, jsonWithDuplicate(headerFor(c), 'kid', 'attacker-secret'), c.claims())),
  },

  // The claims: each signed with the trusted key, so that only the claim check can refuse it.
  ...(
    [
      ['exp-missing', 'exp missing', 'No exp: a token that never expires.', () => ({ exp: undefined })],
      ['exp-past', 'exp past', 'Expired a minute ago (beyond the 5 s tolerance).', (c) => ({ iat: c.now - 600, exp: c.now - 60 })],
      ['nbf-ahead', 'nbf ahead', 'Not valid before five minutes from now.', (c) => ({ nbf: c.now + 300 })],
      ['iat-missing', 'iat missing', 'No iat.', () => ({ iat: undefined })],
      [
        'iat-hour-ahead',
        'iat 1 hour ahead',
        'Issued an hour in the future (exp five minutes after).',
        (c) => ({ iat: c.now + 3600, exp: c.now + 3900 }),
      ],
      [
        'iat-year-ahead',
        'iat 1 year ahead',
        'Issued a year in the future (exp five minutes after).',
        (c) => ({ iat: c.now + YEAR, exp: c.now + YEAR + 300 }),
      ],
      ['lifetime-too-long', 'Lifetime over 15 minutes', 'Issued now, expiring in an hour.', (c) => ({ exp: c.now + 3600 })],
      ['iss-wrong', 'iss wrong', 'Another issuer (`https://issuer.invalid`).', () => ({ iss: 'https://issuer.invalid' })],
      ['iss-missing', 'iss missing', 'No iss.', () => ({ iss: undefined })],
      ['aud-wrong', 'aud another app', "aud naming another app: that app's token replayed, re-signed.", (c) => ({ aud: c.otherApp })],
      ['aud-missing', 'aud missing', 'No aud.', () => ({ aud: undefined })],
      [
        'aud-array-foreign',
        'aud with a foreign audience',
        'aud an array of the target and another app.',
        (c) => ({ aud: [c.target, c.otherApp] }),
      ],
      ['sub-missing', 'sub missing', 'No sub.', () => ({ sub: undefined })],
      ['sub-empty', 'sub empty', 'sub the empty string.', () => ({ sub: '' })],
      ['roles-not-list', 'roles not a list', 'roles the string `admin` instead of a list.', () => ({ roles: 'admin' })],
      ['jti-missing', 'jti missing', 'No jti.', () => ({ jti: undefined })],
    ] as const satisfies readonly (readonly [string, string, string, (c: AttackContext) => Record<string, unknown>])[]
  ).map(([id, title, tries, changes]): Attack => ({
    id,
    group: 'claims',
    title,
    tries: `${tries} Signed with the trusted key.`,
    expected: REFUSED,
    request: (c) => bearer(signed(c, changes(c))),
  })),
  {
    id: 'claims-duplicate-sub',
    group: 'claims',
    title: 'sub named twice',
    tries: 'sub twice in the claims, `admin` then `alice` (which JSON.parse keeps), under a valid signature.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, headerFor(c), jsonWithDuplicate(c.claims(), 'sub', 'admin'))),
  },
  {
    id: 'claims-duplicate-aud',
    group: 'claims',
    title: 'aud named twice',
    tries: 'aud twice in the claims, another app then the target (which JSON.parse keeps), under a valid signature.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, headerFor(c), jsonWithDuplicate(c.claims(), 'aud', c.otherApp))),
  },

  // Encoding and structure.
  {
    id: 'header-base64-alphabet',
    group: 'encoding',
    title: 'Header in the base64 alphabet',
    tries: 'The header written with `+` (base64, not base64url), signed as written with the trusted key.',
    expected: REFUSED,
    request: (c) => {
      const header = encodeSegment(headerNeedingBase64Alphabet(c)).replace(/-/g, '+').replace(/_/g, '/');
      return bearer(signSigningInput(c.trusted, c.alg, `${header}.${encodeSegment(JSON.stringify(c.claims()))}`));
    },
  },
  {
    id: 'header-padded',
    group: 'encoding',
    title: 'Header with = padding',
    tries: 'The header segment ending in `=` padding (base64url in a JWS has none), signed as written with the trusted key.',
    expected: REFUSED,
    request: (c) => {
      const header = Buffer.from(headerNeedingPadding(c)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
      return bearer(signSigningInput(c.trusted, c.alg, `${header}.${encodeSegment(JSON.stringify(c.claims()))}`));
    },
  },
  {
    id: 'signature-respelled',
    group: 'encoding',
    title: 'Signature spelled another way',
    tries:
      'The issued token with the last character of its signature changed only in the bits base64url drops: the same bytes, another string.',
    expected: REFUSED,
    request: (c) => {
      const token = c.issued[c.target];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      // A signature of 32 or 256 bytes ends in a character whose lowest two bits are not data.
      return bearer(`${token.slice(0, -1)}${alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]}`);
    },
  },
  {
    id: 'header-not-json',
    group: 'encoding',
    title: 'Header not JSON',
    tries: 'A header that is not JSON (its closing brace cut off), signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, JSON.stringify(headerFor(c)).slice(0, -1), c.claims())),
  },
  {
    id: 'header-not-utf8',
    group: 'encoding',
    title: 'Header not UTF-8',
    tries: 'A header with bytes that are not UTF-8 in an extra member, signed with the trusted key.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, withInvalidUtf8(JSON.stringify(headerFor(c)), 'x'), c.claims())),
  },
  {
    id: 'claims-not-json',
    group: 'encoding',
    title: 'Claims not JSON',
    tries: 'Claims that are not JSON (the closing brace cut off), under a valid signature.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, headerFor(c), JSON.stringify(c.claims()).slice(0, -1))),
  },
  {
    id: 'claims-not-utf8',
    group: 'encoding',
    title: 'Claims not UTF-8',
    tries: 'Claims with bytes that are not UTF-8 in an extra claim, under a valid signature.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, headerFor(c), withInvalidUtf8(JSON.stringify(c.claims()), 'name'))),
  },
  {
    id: 'claims-not-object',
    group: 'encoding',
    title: 'Claims not an object',
    tries: 'Claims that are a JSON array, under a valid signature.',
    expected: REFUSED,
    request: (c) => bearer(signedRaw(c, headerFor(c), JSON.stringify([c.claims()]))),
  },
  {
    id: 'four-segments',
    group: 'encoding',
    title: 'Four segments',
    tries: 'A valid token with a fourth segment appended.',
    expected: REFUSED,
    request: (c) => bearer(`${signed(c)}.${encodeSegment('extra')}`),
  },
  {
    id: 'payload-tampered',
    group: 'encoding',
    title: 'Payload tampered',
    tries: "The issued token with the admin role written into its claims and the auth service's signature kept.",
    expected: REFUSED,
    request: (c) => bearer(tamperPayload(c.issued[c.target], (claims) => ({ ...claims, sub: 'admin', roles: ['admin'] }))),
  },
  {
    id: 'signature-spliced',
    group: 'encoding',
    title: 'Signature from another token',
    tries: "The issued token's header and claims with the valid signature of another real token (issued for another app).",
    expected: REFUSED,
    request: (c) => bearer(`${c.issued[c.target].replace(/[^.]*$/, '')}${c.issued[c.otherApp].split('.')[2]}`),
  },

  // Where and how the token travels.
  {
    id: 'no-authorization',
    group: 'transport',
    title: 'No Authorization header',
    tries: 'No credentials at all: the challenge without an error code.',
    expected: NO_TOKEN,
    request: () => ({ headers: {} }),
  },
  {
    id: 'query-string',
    group: 'transport',
    title: 'Token in the query string',
    tries: 'The valid token as `?access_token=` (RFC 6750 §2.3), which the services do not read.',
    expected: NO_TOKEN,
    request: (c) => ({ path: `${c.route}?access_token=${c.issued[c.target]}`, headers: {} }),
  },
  {
    id: 'cookie',
    group: 'transport',
    title: 'Token in a cookie',
    tries: 'The valid token in cookies named access_token, token and jwt, which the services do not read.',
    expected: NO_TOKEN,
    request: (c) => {
      const token = c.issued[c.target];
      return { headers: { cookie: `access_token=${token}; token=${token}; jwt=${token}` } };
    },
  },
  {
    id: 'scheme-basic',
    group: 'transport',
    title: 'Basic scheme',
    tries: "alice's username and password as Basic credentials.",
    expected: NO_TOKEN,
    request: () => bearer(Buffer.from('alice:wonderland-alice').toString('base64'), 'Basic '),
  },
  {
    id: 'scheme-jwt',
    group: 'transport',
    title: 'JWT scheme',
    tries: 'The valid token after the scheme `JWT` (as some libraries read it).',
    expected: NO_TOKEN,
    request: (c) => bearer(c.issued[c.target], 'JWT '),
  },
  {
    id: 'scheme-no-space',
    group: 'transport',
    title: 'No space after Bearer',
    tries: 'The valid token glued to `Bearer` (the scheme is then the whole value, not Bearer).',
    expected: NO_TOKEN,
    request: (c) => bearer(c.issued[c.target], 'Bearer'),
  },
  {
    id: 'bearer-tab',
    group: 'transport',
    title: 'Tab after Bearer',
    tries: 'The valid token after `Bearer` and a tab instead of a space.',
    expected: REFUSED,
    request: (c) => bearer(c.issued[c.target], 'Bearer\t'),
  },
  {
    id: 'bearer-two-words',
    group: 'transport',
    title: 'A second word after the token',
    tries: 'The valid token followed by a space and a second word.',
    expected: REFUSED,
    request: (c) => bearer(`${c.issued[c.target]} extra`),
  },
  {
    id: 'bearer-no-token',
    group: 'transport',
    title: 'Bearer with no token',
    tries: 'The scheme `Bearer` and nothing after it.',
    expected: REFUSED,
    request: () => bearer('', 'Bearer'),
  },
  {
    id: 'authorization-over-8k',
    group: 'transport',
    title: 'Authorization just over 8 KB',
    tries: 'A validly signed token padded until its Authorization header is 8193 bytes, one over the limit.',
    expected: REFUSED,
    request: (c) => bearer(signedOfAuthorizationLength(c, MAX_AUTHORIZATION_LENGTH + 1)),
  },
  {
    id: 'authorization-15000-no-space',
    group: 'transport',
    title: '15,000 bytes without a space',
    tries: 'An Authorization header of 15,000 bytes with no space (quadratic for a backtracking regex): refused at once by its size.',
    expected: REFUSED,
    request: () => bearer('A'.repeat(15_000), ''),
  },
  {
    id: 'headers-over-16k',
    group: 'transport',
    title: 'Header block over 16 KB',
    tries: "An Authorization header of 17,000 bytes, over Node's 16 KB header limit: Node's own 431.",
    expected: expect('too-large'),
    request: () => bearer('A'.repeat(17_000)),
  },
];
