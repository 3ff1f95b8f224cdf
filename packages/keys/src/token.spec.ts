import { MAX_AUTHORIZATION_LENGTH, extractBearerToken, readClaims, readProtectedHeader } from './token';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');

describe('reading the bearer token of an Authorization header', () => {
  it.each([
    ['no header', undefined, { found: false, problem: 'missing' }],
    ['an empty header', '', { found: false, problem: 'missing' }],
    ['the Bearer scheme', `Bearer ${jwt}`, { found: true, token: jwt }],
    ['the scheme in lower case', `bearer ${jwt}`, { found: true, token: jwt }],
    ['the scheme in upper case', `BEARER ${jwt}`, { found: true, token: jwt }],
    ['two spaces before the token', `Bearer  ${jwt}`, { found: true, token: jwt }],
    ['a token with b64token padding', 'Bearer abc==', { found: true, token: 'abc==' }],
    ['another scheme', `Basic ${jwt}`, { found: false, problem: 'missing' }],
    ['a scheme that starts like Bearer', `Bearerx ${jwt}`, { found: false, problem: 'missing' }],
    ['Bearer alone', 'Bearer', { found: false, problem: 'malformed' }],
    ['Bearer and spaces only', 'Bearer   ', { found: false, problem: 'malformed' }],
    ['a tab after Bearer', `Bearer\t${jwt}`, { found: false, problem: 'malformed' }],
    ['two words after Bearer', `Bearer ${jwt} ${jwt}`, { found: false, problem: 'malformed' }],
    ['padding inside the token', 'Bearer ab=c', { found: false, problem: 'malformed' }],
    ['a character outside b64token', 'Bearer ab,c', { found: false, problem: 'malformed' }],
    [
      'a header just at the limit',
      `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH - 7)}`,
      { found: true, token: 'a'.repeat(MAX_AUTHORIZATION_LENGTH - 7) },
    ],
    ['a header one byte over the limit', `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH - 6)}`, { found: false, problem: 'too-large' }],
    ['15,000 bytes with no space', 'B'.repeat(15_000), { found: false, problem: 'too-large' }],
  ])('%s', (_name, header, expected) => {
    expect(extractBearerToken(header)).toEqual(expected);
  });
});

describe('decoding the segments of a compact JWS', () => {
  const token = (header: string | Buffer, claims: string | Buffer = '{"sub":"alice"}') => `${b64(header)}.${b64(claims)}.c2ln`;

  it('refuses a token longer than a service reads, whatever way it came, as ERR_TOKEN_TOO_LARGE', () => {
    const long = token(`{"alg":"HS256","pad":"${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}"}`);
    expect(() => readProtectedHeader(long)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_TOO_LARGE' }));
    expect(() => readProtectedHeader(token('{"alg":"HS256"}'))).not.toThrow();
  });

  it('reads the header and the claims', () => {
    const t = token('{"alg":"HS256","kid":"shared.00000001"}');
    expect({ header: readProtectedHeader(t), claims: readClaims(t) }).toEqual({
      header: { alg: 'HS256', kid: 'shared.00000001' },
      claims: { sub: 'alice' },
    });
  });

  it('takes a signature in exactly the spelling base64url gives its bytes, for every length and last character', () => {
    const header = b64('{"alg":"HS256"}');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let length = 1; length <= 6; length += 1) {
      const prefix = Buffer.alloc(length, 0xa5).toString('base64url').slice(0, -1);
      for (const last of alphabet) {
        const signature = prefix + last;
        const canonical = Buffer.from(signature, 'base64url').toString('base64url') === signature;
        const read = () => readProtectedHeader(`${header}.${b64('{}')}.${signature}`);
        if (canonical) expect(read()).toEqual({ alg: 'HS256' });
        else expect(read).toThrow('signature: not canonical base64url');
      }
    }
  });

  it('counts nested members and escaped quotes as one member each', () => {
    const t = token('{"alg":"HS256","x":{"a":1,"b":[{"c":":"}]},"s":"a\\":b"}');
    expect(readProtectedHeader(t)).toEqual({ alg: 'HS256', x: { a: 1, b: [{ c: ':' }] }, s: 'a":b' });
  });

  it.each([
    ['two segments', `${b64('{"alg":"HS256"}')}.${b64('{}')}`, 'not a compact JWS (three segments)'],
    ['four segments', `${token('{"alg":"HS256"}')}.x`, 'not a compact JWS (three segments)'],
    ['an empty header segment', `.${b64('{}')}.c2ln`, 'not a compact JWS (three segments)'],
    [
      'a signature whose last character sets bits base64url drops',
      `${b64('{"alg":"HS256"}')}.${b64('{}')}.c2l`,
      'signature: not canonical base64url',
    ],
    ['a signature with padding', `${b64('{"alg":"HS256"}')}.${b64('{}')}.c2k=`, 'signature: not canonical base64url'],
    ['padding', `${b64('{"alg":"HS256"}')}=.${b64('{}')}.c2ln`, 'header: not base64url'],
    [
      'base64 instead of base64url',
      `${Buffer.from('{"alg":"HS256?>"}').toString('base64').replace(/=+$/, '')}.${b64('{}')}.c2ln`,
      'header: not base64url',
    ],
    ['a length no base64 has', `${b64('{"alg":"HS256"}')}A.${b64('{}')}.c2ln`, 'header: not base64url'],
    ['invalid UTF-8', token(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])), 'header: not UTF-8'],
    ['not JSON', token('{alg:HS256}'), 'header: not JSON'],
    ['a JSON array', token('["alg"]'), 'header: not a JSON object'],
    ['a member named twice', token('{"alg":"none","alg":"HS256"}'), 'header: a member is named twice'],
    ['a member named twice, once escaped', token('{"alg":"none","\\u0061lg":"HS256"}'), 'header: a member is named twice'],
  ])('refuses a header with %s', (_name, t, message) => {
    expect(() => readProtectedHeader(t)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_MALFORMED', message }));
  });

  it.each([
    ['a claim named twice', token('{"alg":"HS256"}', '{"sub":"admin","sub":"alice"}'), 'claims: a member is named twice'],
    ['invalid UTF-8', token('{"alg":"HS256"}', Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d])), 'claims: not UTF-8'],
  ])('refuses claims with %s', (_name, t, message) => {
    expect(() => readClaims(t)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_MALFORMED', message }));
  });
});
