import { CLOCK_TOLERANCE, MAX_TOKEN_LIFETIME } from '@jwt-blast-radius/keys';
import { detectForgedTokens, type Detection, type ServiceLogs } from './detect';
import { parseComposeLogs, parseServiceLogs } from './read';
import { formatDetectionTerminal } from './report';

// Lines as the services write them (docs/logs.md), from a run that starts at T0 (milliseconds).
const T0 = 1795946551178;
const KID = 'shared.ba4db694';
const ALICE_JTI = '1e2a7e72-8614-42f2-9845-6048b6349e7c';
const FORGED_JTI = 'fc3747b5-67f4-4b2c-9f73-9da8175f99e1';
const LATER = T0 + (MAX_TOKEN_LIFETIME + CLOCK_TOLERANCE) * 1000 + 60_000;

const line = (app: string, time: number, fields: Record<string, unknown>, level = 'info') =>
  JSON.stringify({ level, time, app, context: 'auth', ...fields });

const listening = (app: string, port: number) =>
  JSON.stringify({ level: 'info', time: T0, app, context: 'service', event: 'listening', url: `http://127.0.0.1:${port}` });

const issued = (time: number, jti: string, sub: string, aud: string, exp = Math.floor(time / 1000) + 300) =>
  line('auth-service', time, { event: 'token-issued', jti, sub, aud, kid: KID, exp, reqId: '787aa93b-2' });

const access = (app: string, time: number, fields: Record<string, unknown>) =>
  line(
    app,
    time,
    {
      event: 'access',
      route: 'GET /dashboard/summary',
      outcome: 'accepted',
      kid: KID,
      sub: 'alice',
      aud: app,
      jti: ALICE_JTI,
      address: '127.0.0.1',
      reqId: '451911d5-2',
      ...fields,
    },
    fields.outcome === undefined || fields.outcome === 'accepted' ? 'info' : 'warn',
  );

/** The three services' logs: alice's token for dashboard-api issued at `LATER`, then `api` lines at dashboard-api. */
function logsWith(api: readonly string[], { issuer = [] as readonly string[] } = {}): ServiceLogs {
  return parseServiceLogs({
    'auth-service': [listening('auth-service', 3000), issued(LATER, ALICE_JTI, 'alice', 'dashboard-api'), ...issuer],
    'dashboard-api': [listening('dashboard-api', 3001), ...api],
    'mobile-api': [listening('mobile-api', 3002)],
  }).logs;
}

const summary = (detection: Detection) => detection.flagged.map(({ service, jti, sub, findings }) => ({ service, jti, sub, findings }));

describe('detectForgedTokens, over lines as the services log them', () => {
  it('flags nothing when every verified token was issued as it was used, and counts the verified requests', () => {
    const detection = detectForgedTokens(
      logsWith([
        access('dashboard-api', LATER + 60, {}),
        access('dashboard-api', LATER + 70, { route: 'GET /dashboard/admin', outcome: 'forbidden', reason: 'missing role admin' }),
      ]),
    );
    expect(detection.flagged).toEqual([]);
    expect(detection).toMatchObject({ issuer: 'auth-service', issued: 1, issuerLogFrom: T0 });
    expect(detection.counts).toEqual({
      'auth-service': { accepted: 0, forbidden: 0, flagged: 0 },
      'dashboard-api': { accepted: 1, forbidden: 1, flagged: 0 },
      'mobile-api': { accepted: 0, forbidden: 0, flagged: 0 },
    });
  });

  it('flags an accepted jti the issuer never issued, with its time, service, route, kid, sub, jti and why', () => {
    const detection = detectForgedTokens(
      logsWith([
        access('dashboard-api', LATER + 60, {}),
        access('dashboard-api', LATER + 90, { route: 'GET /dashboard/admin', sub: 'admin', jti: FORGED_JTI, reqId: '451911d5-3' }),
      ]),
    );
    expect(detection.flagged).toEqual([
      {
        time: LATER + 90,
        service: 'dashboard-api',
        route: 'GET /dashboard/admin',
        outcome: 'accepted',
        kid: KID,
        sub: 'admin',
        aud: 'dashboard-api',
        jti: FORGED_JTI,
        address: '127.0.0.1',
        reqId: '451911d5-3',
        findings: ['unknown-jti'],
        why: 'jti never issued',
        issuerLogCovers: true,
      },
    ]);
    expect(detection.counts['dashboard-api']).toEqual({ accepted: 2, forbidden: 0, flagged: 1 });
  });

  it('flags a harvested jti reused with another sub, another audience or another kid, naming what was issued', () => {
    const detection = detectForgedTokens(
      logsWith([
        access('dashboard-api', LATER + 100, { sub: 'admin' }),
        access('dashboard-api', LATER + 200, { aud: ['dashboard-api', 'mobile-api'] }),
        access('dashboard-api', LATER + 300, { kid: 'shared.0ff1ce00' }),
        access('dashboard-api', LATER + 400, { sub: 'admin', aud: 'mobile-api' }),
      ]),
    );
    expect(detection.flagged.map(({ findings, why }) => ({ findings, why }))).toEqual([
      { findings: ['sub-differs'], why: 'sub admin, issued to alice' },
      { findings: ['aud-differs'], why: 'aud [dashboard-api, mobile-api], issued for dashboard-api' },
      { findings: ['kid-differs'], why: `kid shared.0ff1ce00, issued under ${KID}` },
      { findings: ['sub-differs', 'aud-differs'], why: 'sub admin, issued to alice; aud mobile-api, issued for dashboard-api' },
    ]);
  });

  it('takes an audience logged as a one-element array as the same audience as the string', () => {
    expect(detectForgedTokens(logsWith([access('dashboard-api', LATER + 60, { aud: ['dashboard-api'] })])).flagged).toEqual([]);
  });

  it('flags a verified token without a jti, or with an empty one', () => {
    const detection = detectForgedTokens(
      logsWith([access('dashboard-api', LATER + 60, { jti: undefined }), access('dashboard-api', LATER + 70, { jti: '' })]),
    );
    expect(detection.flagged.map(({ jti, findings, why }) => ({ jti, findings, why }))).toEqual([
      { jti: undefined, findings: ['no-jti'], why: 'no jti' },
      { jti: '', findings: ['no-jti'], why: 'no jti' },
    ]);
  });

  it('flags a forged token that verified and was forbidden for a missing role, and ignores refused requests', () => {
    const detection = detectForgedTokens(
      logsWith([
        access('dashboard-api', LATER + 60, {
          route: 'GET /dashboard/admin',
          outcome: 'forbidden',
          reason: 'missing role admin',
          jti: FORGED_JTI,
        }),
        access('dashboard-api', LATER + 70, {
          outcome: 'refused',
          reason: 'JsonWebTokenError: invalid signature',
          sub: undefined,
          aud: undefined,
          jti: undefined,
        }),
        access('dashboard-api', LATER + 80, { outcome: 'unavailable', reason: 'ERR_JWKS_UNAVAILABLE', sub: undefined, jti: undefined }),
      ]),
    );
    expect(summary(detection)).toEqual([{ service: 'dashboard-api', jti: FORGED_JTI, sub: 'alice', findings: ['unknown-jti'] }]);
    expect(detection.counts['dashboard-api']).toEqual({ accepted: 0, forbidden: 1, flagged: 1 });
  });

  it('flags a jti used after the token issued under it expired, beyond the clock tolerance, and not within it', () => {
    const exp = Math.floor(LATER / 1000) + 300;
    const detection = detectForgedTokens(
      logsWith([
        access('dashboard-api', exp * 1000 + CLOCK_TOLERANCE * 1000 - 1, {}),
        access('dashboard-api', (exp + 90) * 1000, { route: 'GET /dashboard/admin' }),
      ]),
    );
    expect(detection.flagged.map(({ route, findings, why }) => ({ route, findings, why }))).toEqual([
      { route: 'GET /dashboard/admin', findings: ['after-expiry'], why: 'used 90 s after the issued token expired' },
    ]);
  });

  it('trusts the token-issued events of the issuer’s own log only: another service cannot vouch for a jti', () => {
    const logs = parseServiceLogs({
      'auth-service': [listening('auth-service', 3000)],
      'dashboard-api': [
        line('auth-service', LATER, { event: 'token-issued', jti: FORGED_JTI, sub: 'admin', aud: 'mobile-api', kid: KID, exp: 0 }),
      ],
      'mobile-api': [access('mobile-api', LATER + 60, { route: 'GET /mobile/admin', sub: 'admin', jti: FORGED_JTI })],
    }).logs;
    const detection = detectForgedTokens(logs);
    expect(detection.issued).toBe(0);
    expect(summary(detection)).toEqual([{ service: 'mobile-api', jti: FORGED_JTI, sub: 'admin', findings: ['unknown-jti'] }]);
  });

  it('says when the issuer’s log begins too late to cover every token a request could carry', () => {
    const soon = T0 + 40_000;
    const detection = detectForgedTokens(
      logsWith([
        access('dashboard-api', soon, { jti: FORGED_JTI }),
        access('dashboard-api', LATER + 60, { jti: '0b9f3c1e-3d0c-4d59-8d43-0c5e3f8a6b21' }),
      ]),
    );
    expect(detection.flagged.map(({ issuerLogCovers, why }) => ({ issuerLogCovers, why }))).toEqual([
      { issuerLogCovers: false, why: "jti not in the issuer's log †" },
      { issuerLogCovers: true, why: 'jti never issued' },
    ]);
    expect(formatDetectionTerminal(detection, { from: 'the test', skipped: 0 })).toContain(
      "† less than 15 minutes (a token's longest life) after the issuer's log begins",
    );
  });

  it('flags every verified request when the issuer’s log is empty, and says so', () => {
    const detection = detectForgedTokens(
      parseServiceLogs({ 'auth-service': [], 'dashboard-api': [access('dashboard-api', LATER, {})] }).logs,
    );
    expect(detection).toMatchObject({ issued: 0, issuerLogFrom: undefined });
    expect(detection.flagged.map(({ why }) => why)).toEqual(["jti not in the issuer's log, which is empty"]);
  });

  it('accounts for a token whose jti the issuer logged twice when it matches either', () => {
    const detection = detectForgedTokens(
      logsWith([access('dashboard-api', LATER + 60, { sub: 'bob' })], { issuer: [issued(LATER + 10, ALICE_JTI, 'bob', 'dashboard-api')] }),
    );
    expect(detection.flagged).toEqual([]);
  });
});

describe('reading the services’ output', () => {
  it('skips what is not a log line (text, a partial last line, a JSON value that is no log line), and blank lines silently', () => {
    const read = parseServiceLogs({
      'dashboard-api': [
        listening('dashboard-api', 3001),
        'mobile-api: KEYS_DIR: is not set (ERR_KEYS_MISSING)',
        '',
        '["not", "a", "line"]',
        access('dashboard-api', LATER, {}).slice(0, 40),
      ],
    });
    expect(read.skipped).toBe(3);
    expect(read.logs['dashboard-api']).toHaveLength(1);
  });

  it('reads docker-compose logs --no-color of Compose v1 and v2 by each line’s prefix, the same as the files', () => {
    const files = {
      'auth-service': [listening('auth-service', 3000), issued(LATER, ALICE_JTI, 'alice', 'dashboard-api')],
      'dashboard-api': [
        listening('dashboard-api', 3001),
        access('dashboard-api', LATER + 60, {}),
        access('dashboard-api', LATER + 90, { sub: 'admin', jti: FORGED_JTI, route: 'GET /dashboard/admin|x' }),
      ],
      'mobile-api': [listening('mobile-api', 3002)],
    };
    const expected = detectForgedTokens(parseServiceLogs(files).logs);
    const names = {
      v1: (service: string) => `${service}_1`.padEnd(16),
      v2: (service: string) => `${service}-1`.padEnd(16),
      'v2 with the project': (service: string) => `jwt-blast-radius-${service}-1`.padEnd(34),
    };
    for (const name of Object.values(names)) {
      const output = [
        `Attaching to ${name('auth-service').trim()}, ${name('dashboard-api').trim()}`,
        `${name('keygen')}| generated the keys of rs256-jwks`,
        ...Object.entries(files).flatMap(([service, lines]) => lines.map((text) => `${name(service)}| ${text}`)),
        `${name('mobile-api')}| `,
        '',
      ].join('\n');
      const read = parseComposeLogs(output, ['auth-service', 'dashboard-api', 'mobile-api']);
      expect(read.skipped).toBe(2);
      expect(detectForgedTokens(read.logs)).toEqual(expected);
    }
    expect(summary(expected)).toEqual([{ service: 'dashboard-api', jti: FORGED_JTI, sub: 'admin', findings: ['unknown-jti'] }]);
  });

  it('reads compose output without prefixes by each line’s app', () => {
    const output = [` ${listening('auth-service', 3000)}`, issued(LATER, ALICE_JTI, 'alice', 'dashboard-api')].join('\n');
    expect(parseComposeLogs(output, ['auth-service']).logs['auth-service']).toHaveLength(2);
  });
});
