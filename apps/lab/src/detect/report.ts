import { boxedTable } from '../tables';
import { CLOCK_TOLERANCE, MAX_TOKEN_LIFETIME } from '@jwt-blast-radius/keys';
import { EARLY_MARK, type Detection, type FlaggedRequest } from './detect';

/** Where the lines came from, as the report's first line says it. */
export interface DetectionSource {
  /** `.logs/auth-service.jsonl, ...`, or `docker-compose logs`. */
  readonly from: string;
  /** Lines that were not log lines. */
  readonly skipped: number;
}

const COUNT_HEADER = ['service', 'accepted', 'forbidden', 'flagged'];
const FLAGGED_HEADER = ['time (UTC)', 'service', 'route', 'outcome', 'kid', 'sub', 'jti', 'why'];

/** What each column of the flagged requests means, for `--help` and the docs. */
export const FLAGGED_COLUMNS: readonly (readonly [string, string])[] = [
  ['time (UTC)', 'when the service logged the request'],
  ['service', 'the service whose log holds it'],
  ['route', 'the route called'],
  ['outcome', '`accepted`, or `forbidden` (the token verified, and lacked a role)'],
  ['kid', "the token header's kid"],
  ['sub', 'who the token claims to be'],
  ['jti', "the token's id"],
  ['why', 'what the logs show: the jti never issued, or issued to another sub, for another audience, under another kid, or expired'],
];

/**
 * The detection as a person reads it in a terminal: where the lines came from, the issuer's record, the
 * verified requests per service, and a table of the flagged requests (or a line saying there is none).
 *
 * @example
 * process.stdout.write(formatDetectionTerminal(detectForgedTokens(logs), { from: '.logs/*.jsonl', skipped: 0 }));
 */
export function formatDetectionTerminal(detection: Detection, source: DetectionSource): string {
  const { issuer, issued, issuerLogFrom, counts, flagged } = detection;
  const out = [
    `read ${source.from}${source.skipped > 0 ? ` (${plural(source.skipped, 'line')} not a log line, skipped)` : ''}`,
    issuerLogFrom === undefined
      ? `${issuer}'s log is empty: no token is accounted for, and every verified request is flagged`
      : `${issuer}'s log begins ${timeOf(issuerLogFrom)} UTC and records ${plural(issued, 'token')} issued`,
    '',
    'requests whose token verified, per service:',
    ...boxedTable(
      COUNT_HEADER,
      Object.entries(counts).map(([service, count]) => [service, String(count.accepted), String(count.forbidden), String(count.flagged)]),
    ).map((line) => `  ${line}`),
    '',
  ];
  if (flagged.length === 0) {
    out.push(
      'Nothing flagged: every verified token was issued under its jti, to its sub, for its audience, under its kid, and was unexpired.',
    );
    return `${out.join('\n')}\n`;
  }
  out.push(
    `${plural(flagged.length, 'request')} flagged, with a token the issuer's log does not account for:`,
    ...boxedTable(FLAGGED_HEADER, flagged.map(flaggedRow)).map((line) => `  ${line}`),
  );
  if (flagged.some((request) => request.why.endsWith(EARLY_MARK))) {
    const longest = Math.round((MAX_TOKEN_LIFETIME + CLOCK_TOLERANCE) / 60);
    out.push(
      '',
      `${EARLY_MARK} less than ${longest} minutes (a token's longest life) after the issuer's log begins: a token issued before`,
      '  the log began would look the same. npm start makes fresh keys at each start, so there it cannot be one;',
      '  a compose stack made anew keeps its keys.',
    );
  }
  return `${out.join('\n')}\n`;
}

function flaggedRow(request: FlaggedRequest): string[] {
  return [
    timeOf(request.time),
    request.service,
    request.route ?? '',
    request.outcome,
    request.kid ?? '',
    request.sub ?? '',
    request.jti ?? '(none)',
    request.why,
  ];
}

/** Milliseconds since the epoch as `2026-11-29 10:41:26.123`, UTC. */
function timeOf(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
