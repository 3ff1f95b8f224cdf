import { APP_NAMES, MODE_NAMES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { attackerKeyFor, createAttacker, encodeSegment, signRawJws, type Attacker } from '@jwt-blast-radius/attacker';
import { localDriver, type RunningStack } from '@jwt-blast-radius/stack';
import fc from 'fast-check';
import type { JWK } from 'jose';
import { harvestToken } from '../demo/probes';
import { ROUTES } from '../targets';
import { sendAttack } from './http';

// Mutated tokens against the real stack: whatever is done to a valid token, a service accepts it only if
// the bytes its signature covers are unchanged, and never answers with a 5xx. FUZZ_RUNS raises the count.
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

jest.setTimeout(Math.max(180_000, RUNS * 150));

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether a service may accept the mutated token: only when it is the token itself. (The signed bytes are
 * then unchanged; the verifier also refuses a signature spelled another way, with the bits base64url drops
 * set in its last character, so the same bytes in another spelling are refused too.)
 */
function signedBytesUnchanged(original: string, mutated: string): boolean {
  return mutated === original;
}

const decode = (segment: string) => Buffer.from(segment, 'base64url');
const parse = (segment: string): Record<string, unknown> => {
  try {
    return JSON.parse(decode(segment).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** A mutation of a token, given the key a re-signing mutation signs with; fast-check prints it by its name. */
interface Mutation {
  readonly name: string;
  apply(token: string, wrongKey: (alg: string) => JWK): string;
}

const mutationOf = (name: string, apply: Mutation['apply']): Mutation & fc.WithToStringMethod => ({
  name,
  apply,
  [fc.toStringMethod]: () => name,
});

const segmentIndex = fc.integer({ min: 0, max: 2 });

const bitFlip: fc.Arbitrary<Mutation> = fc.tuple(segmentIndex, fc.nat(), fc.integer({ min: 0, max: 7 })).map(([index, at, bit]) =>
  mutationOf(`flip bit ${bit} of byte ${at} (modulo its length) of segment ${index}`, (token) => {
    const segments = token.split('.');
    const bytes = decode(segments[index]!);
    if (bytes.length === 0) return token;
    bytes[at % bytes.length]! ^= 1 << bit;
    segments[index] = encodeSegment(bytes);
    return segments.join('.');
  }),
);

const characterChange: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(), fc.constantFrom(...BASE64URL, '.')).map(([at, character]) =>
  mutationOf(`write "${character}" at ${at} (modulo the length)`, (token) => {
    const i = at % token.length;
    return `${token.slice(0, i)}${character}${token.slice(i + 1)}`;
  }),
);

const truncation: fc.Arbitrary<Mutation> = fc
  .nat()
  .map((at) => mutationOf(`cut at ${at} (modulo the length)`, (token) => token.slice(0, at % token.length)));

const segmentShuffle: fc.Arbitrary<Mutation> = fc
  .array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 })
  .map((order) =>
    mutationOf(`segments in the order ${order.join(', ')}`, (token) => order.map((index) => token.split('.')[index]).join('.')),
  );

const extraText: fc.Arbitrary<Mutation> = fc
  .tuple(fc.boolean(), fc.string({ unit: fc.constantFrom(...BASE64URL, '.'), minLength: 1, maxLength: 12 }))
  .map(([before, text]) =>
    mutationOf(`"${text}" ${before ? 'before' : 'after'} the token`, (token) => (before ? `${text}${token}` : `${token}${text}`)),
  );

/** The signature's last character swapped for one that decodes to the same bytes (only the bits base64url drops differ). */
const sameSignatureBytes: fc.Arbitrary<Mutation> = fc.nat().map((pick) =>
  mutationOf(`the signature's last character, variant ${pick} of those decoding the same`, (token) => {
    const signatureAt = token.lastIndexOf('.') + 1;
    const signature = decode(token.slice(signatureAt));
    const same = [...BASE64URL].filter((character) => decode(`${token.slice(signatureAt, -1)}${character}`).equals(signature));
    return `${token.slice(0, -1)}${same[pick % same.length]!}`;
  }),
);

const headerChange = fc.record(
  {
    alg: fc.constantFrom('none', 'HS256', 'HS384', 'RS256', 'PS256', 'ES256', 'EdDSA'),
    typ: fc.constantFrom('at+jwt', 'JWT', 'application/at+jwt', undefined),
    kid: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 }), fc.integer()),
    crit: fc.constant(['b64']),
    jku: fc.constant('http://127.0.0.1:1/jwks.json'),
  },
  { requiredKeys: [] },
);

const claimChange = fc.record(
  {
    sub: fc.constantFrom('admin', 'bob', ''),
    roles: fc.constantFrom(['admin'], 'admin', []),
    aud: fc.constantFrom('auth-service', 'dashboard-api', 'mobile-api', ['dashboard-api', 'mobile-api']),
    exp: fc.integer({ min: 0, max: 4_000_000_000 }),
    iss: fc.constantFrom('https://issuer.invalid', ''),
  },
  { requiredKeys: [] },
);

/** Header and claim changes, re-signed with a key the target does not trust. */
const reSigned: fc.Arbitrary<Mutation> = fc.tuple(headerChange, claimChange).map(([header, claims]) =>
  mutationOf(`header ${JSON.stringify(header)} and claims ${JSON.stringify(claims)}, re-signed with a wrong key`, (token, wrongKey) => {
    const [encodedHeader, encodedClaims] = token.split('.');
    const newHeader = Object.fromEntries(
      Object.entries({ ...parse(encodedHeader!), ...header }).filter(([, value]) => value !== undefined),
    );
    const alg = typeof newHeader.alg === 'string' ? newHeader.alg : 'HS256';
    const newClaims = { ...parse(encodedClaims!), ...claims };
    if (alg === 'none') return `${encodeSegment(JSON.stringify(newHeader))}.${encodeSegment(JSON.stringify(newClaims))}.`;
    return signRawJws(wrongKey(alg), alg, newHeader, newClaims);
  }),
);

/** Claim changes with the original signature kept. */
const tampered: fc.Arbitrary<Mutation> = claimChange.map((claims) =>
  mutationOf(`claims ${JSON.stringify(claims)}, the signature kept`, (token) => {
    const [header, encodedClaims, signature] = token.split('.');
    return `${header}.${encodeSegment(JSON.stringify({ ...parse(encodedClaims!), ...claims }))}.${signature}`;
  }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: bitFlip, weight: 4 },
  { arbitrary: characterChange, weight: 3 },
  { arbitrary: truncation, weight: 1 },
  { arbitrary: segmentShuffle, weight: 1 },
  { arbitrary: extraText, weight: 1 },
  { arbitrary: reSigned, weight: 2 },
  { arbitrary: tampered, weight: 1 },
  { arbitrary: sameSignatureBytes, weight: 1 },
);

describe.each(MODE_NAMES)('mutated tokens against the real stack in %s', (mode: ModeName) => {
  let stack: RunningStack;
  let attacker: Attacker;
  const issued = {} as Record<AppName, string>;

  beforeAll(async () => {
    attacker = await createAttacker();
    stack = await localDriver.start(mode, { insecure: false, progress: () => {} });
    for (const app of APP_NAMES) issued[app] = await harvestToken(stack.urls['auth-service'], app);
  });
  afterAll(async () => {
    await stack?.stop();
    await attacker?.close();
  });

  it(`accepts a mutated token only when its signed bytes are unchanged, and never answers 5xx (${RUNS} tokens)`, async () => {
    const wrongKey = (alg: string) => attackerKeyFor(attacker, alg);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...APP_NAMES), mutation, async (target, mutate) => {
        const original = issued[target];
        const token = mutate.apply(original, wrongKey);
        const answer = await sendAttack(stack.urls[target], ROUTES[target].user, target, { headers: { authorization: `Bearer ${token}` } });
        sent += 1;
        // Refused (a 401 with the invalid_token challenge), or accepted with the signed bytes unchanged:
        // anything else, a 5xx included, is a failure.
        const allowed = answer.outcome === 'refused' || (answer.outcome === 'accepted' && signedBytesUnchanged(original, token));
        expect({ target, token, status: answer.status, outcome: answer.outcome, note: answer.note, allowed }).toMatchObject({
          allowed: true,
        });
      }),
      { numRuns: RUNS },
    );
    expect(sent).toBeGreaterThanOrEqual(RUNS);
  });
});
