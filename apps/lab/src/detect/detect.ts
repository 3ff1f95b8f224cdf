import { CLOCK_TOLERANCE, ISSUER_APP, MAX_TOKEN_LIFETIME } from '@jwt-blast-radius/keys';
import type { LogLine } from '@jwt-blast-radius/service-kit';

/**
 * Why a request is flagged: one entry per check, in the order a request is checked. Each says what the
 * services' logs show about the token a service verified; the issuer's `token-issued` events are its record
 * of every token it signed (docs/logs.md).
 */
export const FINDINGS = {
  'no-jti': 'the token has no jti, and the issuer puts one in every token',
  'unknown-jti': 'the issuer never issued the jti',
  'sub-differs': 'the jti was issued, to another sub',
  'aud-differs': 'the jti was issued, for another audience',
  'kid-differs': 'the jti was issued, signed under another kid',
  'after-expiry': 'the jti was issued, and the token issued under it had expired',
} as const;

/**
 * Ends the reason of an unknown jti seen less than a token's longest life after the issuer's log begins:
 * a token issued before the log began would look the same.
 */
export const EARLY_MARK = '†';

/** One of {@link FINDINGS}. */
export type Finding = keyof typeof FINDINGS;

/** The services' logs, each read from where that service writes it: the service's name, its lines. */
export type ServiceLogs = Readonly<Record<string, readonly LogLine[]>>;

/** A token as the issuer's `token-issued` event describes it. */
export interface IssuedTokenEvent {
  readonly jti: string;
  readonly sub: unknown;
  readonly aud: unknown;
  readonly kid: unknown;
  /** Its `exp` claim, seconds since the epoch, where the event has one. */
  readonly exp: number | undefined;
}

/** A request whose token the issuer's log does not account for. */
export interface FlaggedRequest {
  /** The access event's time: milliseconds since the epoch. */
  readonly time: number;
  /** The service whose log holds the access event. */
  readonly service: string;
  readonly route: string | undefined;
  /** `accepted`, or `forbidden`: the token verified, and lacked a role. */
  readonly outcome: string;
  readonly kid: string | undefined;
  readonly sub: string | undefined;
  readonly aud: string | readonly string[] | undefined;
  readonly jti: string | undefined;
  readonly address: string | undefined;
  readonly reqId: string | undefined;
  readonly findings: readonly Finding[];
  /** The findings as one line, with the values they compare. */
  readonly why: string;
  /**
   * Whether the issuer's log covers every token the service could have accepted then: it begins at least
   * a token's longest life (plus the verifiers' clock tolerance) before the request. When it does not, an
   * unknown jti may belong to a token issued before the log began.
   */
  readonly issuerLogCovers: boolean;
}

/** What one service's log holds of verified tokens. */
export interface ServiceCounts {
  readonly accepted: number;
  /** Verified tokens refused for a missing role. */
  readonly forbidden: number;
  readonly flagged: number;
}

/** What {@link detectForgedTokens} found. */
export interface Detection {
  /** The service whose `token-issued` events are trusted. */
  readonly issuer: string;
  /** How many `token-issued` events its log holds. */
  readonly issued: number;
  /** The time of the issuer's first line (milliseconds since the epoch); undefined when there is none. */
  readonly issuerLogFrom: number | undefined;
  /** Every service of the logs, in their order. */
  readonly counts: Readonly<Record<string, ServiceCounts>>;
  /** In order of time. */
  readonly flagged: readonly FlaggedRequest[];
}

export interface DetectOptions {
  /** The service that issues tokens: only its log's `token-issued` events count. Default {@link ISSUER_APP}. */
  readonly issuer?: string;
}

/** Outcomes of an access event whose token verified, and whose sub, aud and jti are logged. */
const VERIFIED_OUTCOMES: readonly string[] = ['accepted', 'forbidden'];

/** The longest a token the services accept can have lived, in milliseconds: the lifetime cap and the clock tolerance. */
const LONGEST_TOKEN_LIFE_MS = (MAX_TOKEN_LIFETIME + CLOCK_TOLERANCE) * 1000;

/**
 * The time from a verification to its log line: a request is taken for one after expiry only past the
 * tolerance and this margin, so that a token checked just in time is never flagged.
 */
const LOGGING_MARGIN_MS = 1000;

/**
 * Finds the requests a service accepted (or refused only for a missing role) with a token the issuer never
 * issued: a jti that no `token-issued` event of the issuer holds, or one that was issued with another `sub`,
 * audience or `kid`, or whose token had expired (an attacker who holds a key may reuse a harvested jti). A
 * token without a jti is flagged too. Trusts the `token-issued` events of the issuer's own log only: a
 * compromised service can write any line to its own. Each service's log is the one it wrote, whatever its
 * lines say of their `app`.
 *
 * @example
 * const detection = detectForgedTokens({ 'auth-service': issuerLines, 'dashboard-api': apiLines });
 * detection.flagged.map((request) => request.why); // ['jti never issued']
 */
export function detectForgedTokens(logs: ServiceLogs, { issuer = ISSUER_APP }: DetectOptions = {}): Detection {
  const issuerLines = logs[issuer] ?? [];
  const issued = new Map<string, IssuedTokenEvent[]>();
  let issuedCount = 0;
  for (const line of issuerLines) {
    if (line.event !== 'token-issued' || !isNonEmptyString(line.jti)) continue;
    issuedCount += 1;
    const token = { jti: line.jti, sub: line.sub, aud: line.aud, kid: line.kid, exp: typeof line.exp === 'number' ? line.exp : undefined };
    const known = issued.get(line.jti);
    if (known) known.push(token);
    else issued.set(line.jti, [token]);
  }
  let issuerLogFrom: number | undefined;
  for (const line of issuerLines) if (issuerLogFrom === undefined || line.time < issuerLogFrom) issuerLogFrom = line.time;

  const counts: Record<string, ServiceCounts> = {};
  const flagged: FlaggedRequest[] = [];
  for (const [service, lines] of Object.entries(logs)) {
    let accepted = 0;
    let forbidden = 0;
    let flaggedHere = 0;
    for (const line of lines) {
      if (line.event !== 'access' || typeof line.outcome !== 'string' || !VERIFIED_OUTCOMES.includes(line.outcome)) continue;
      if (line.outcome === 'accepted') accepted += 1;
      else forbidden += 1;
      const issuerLogCovers = issuerLogFrom !== undefined && line.time - LONGEST_TOKEN_LIFE_MS >= issuerLogFrom;
      const verdict = judge(line, issued, issuerLogCovers, issuerLogFrom);
      if (!verdict) continue;
      flaggedHere += 1;
      flagged.push({
        time: line.time,
        service,
        route: stringOf(line.route),
        outcome: line.outcome,
        kid: stringOf(line.kid),
        sub: stringOf(line.sub),
        aud: audienceOf(line.aud),
        jti: stringOf(line.jti),
        address: stringOf(line.address),
        reqId: stringOf(line.reqId),
        ...verdict,
        issuerLogCovers,
      });
    }
    counts[service] = { accepted, forbidden, flagged: flaggedHere };
  }
  flagged.sort((a, b) => a.time - b.time);
  return { issuer, issued: issuedCount, issuerLogFrom, counts, flagged };
}

/** The findings of one verified request, or undefined when the issuer's log accounts for its token. */
function judge(
  line: LogLine,
  issued: ReadonlyMap<string, readonly IssuedTokenEvent[]>,
  issuerLogCovers: boolean,
  issuerLogFrom: number | undefined,
): { findings: Finding[]; why: string } | undefined {
  if (!isNonEmptyString(line.jti)) return { findings: ['no-jti'], why: 'no jti' };
  const candidates = issued.get(line.jti);
  if (!candidates) return { findings: ['unknown-jti'], why: unknownJti(issuerLogFrom, issuerLogCovers) };
  // A jti is issued once; should the issuer ever log one twice, a token matching either is accounted for.
  const judged = candidates.map((token) => differences(line, token)).sort((a, b) => a.length - b.length);
  const closest = judged[0] ?? [];
  if (closest.length === 0) return undefined;
  return { findings: closest.map(([finding]) => finding), why: closest.map(([, why]) => why).join('; ') };
}

/** How a verified request's token differs from the token issued under its jti. */
function differences(line: LogLine, token: IssuedTokenEvent): [Finding, string][] {
  const found: [Finding, string][] = [];
  if (line.sub !== token.sub) found.push(['sub-differs', `sub ${show(line.sub)}, issued to ${show(token.sub)}`]);
  const aud = audienceOf(line.aud);
  const audiences = aud === undefined ? [] : typeof aud === 'string' ? [aud] : aud;
  // RFC 7519 §4.1.3: a one-element array and the string name the same audience.
  if (audiences.length !== 1 || audiences[0] !== token.aud) {
    found.push(['aud-differs', `aud ${show(aud)}, issued for ${show(token.aud)}`]);
  }
  if (line.kid !== token.kid) found.push(['kid-differs', `kid ${show(line.kid)}, issued under ${show(token.kid)}`]);
  if (token.exp !== undefined && line.time >= (token.exp + CLOCK_TOLERANCE) * 1000 + LOGGING_MARGIN_MS) {
    found.push(['after-expiry', `used ${duration(line.time - token.exp * 1000)} after the issued token expired`]);
  }
  return found;
}

function unknownJti(issuerLogFrom: number | undefined, issuerLogCovers: boolean): string {
  if (issuerLogFrom === undefined) return "jti not in the issuer's log, which is empty";
  return issuerLogCovers ? 'jti never issued' : `jti not in the issuer's log ${EARLY_MARK}`;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function audienceOf(value: unknown): string | readonly string[] | undefined {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** A logged value as a reader would quote it: a string as it is, a list in brackets, nothing as `(none)`. */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return value === undefined ? '(none)' : JSON.stringify(value);
}

/** A span of milliseconds, rounded for a reader: `40 s`, `3 min`, `2 h`. */
function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}
