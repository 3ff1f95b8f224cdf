import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AppName } from '@jwt-blast-radius/keys';
import type { AttackRequest, Outcome } from './types';

/** What a target answered, as the catalogue judges it. `other` is anything no expectation allows (a 5xx, a wrong challenge). */
export interface Answer {
  readonly outcome: Outcome | 'other';
  /** 0 when no HTTP answer came back. */
  readonly status: number;
  readonly challenge?: string;
  readonly ms: number;
  /** Why the answer is `other`. */
  readonly note?: string;
}

/** The body of every 401 the services send (Nest's bare UnauthorizedException). */
export const UNAUTHORIZED_BODY = '{"message":"Unauthorized","statusCode":401}';

/** The RFC 6750 challenges a service sends: with `error="invalid_token"` for a refused token, without for no token. */
export function challengeOf(app: AppName, refused: boolean): string {
  return refused ? `Bearer realm="${app}", error="invalid_token"` : `Bearer realm="${app}"`;
}

/**
 * Sends one attack request to a target over a fresh connection, with its headers exactly as written
 * (node:http, not fetch, which would normalize them), and judges the answer.
 *
 * @example
 * await sendAttack('http://127.0.0.1:3001', '/dashboard/summary', 'dashboard-api', { headers: { authorization } });
 */
export async function sendAttack(baseUrl: string, route: string, target: AppName, attack: AttackRequest): Promise<Answer> {
  const url = new URL(attack.path ?? route, baseUrl);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const { status, challenge, body } = await get(url, attack.headers);
    return { ...judge(target, status, challenge, body), status, ...(challenge !== undefined ? { challenge } : {}), ms: elapsed() };
  } catch (error) {
    return { outcome: 'other', status: 0, ms: elapsed(), note: `no answer (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}

function judge(target: AppName, status: number, challenge: string | undefined, body: string): Pick<Answer, 'outcome' | 'note'> {
  if (status === 200) return { outcome: 'accepted' };
  if (status === 431) return { outcome: 'too-large' };
  if (status !== 401) return { outcome: 'other', note: `status ${status}` };
  if (body !== UNAUTHORIZED_BODY) return { outcome: 'other', note: `401 with another body (${body.slice(0, 80)})` };
  if (challenge === challengeOf(target, true)) return { outcome: 'refused' };
  if (challenge === challengeOf(target, false)) return { outcome: 'no-token' };
  return {
    outcome: 'other',
    note: `401 with the challenge ${challenge === undefined ? '(none)' : JSON.stringify(challenge.slice(0, 80))}`,
  };
}

function get(url: URL, headers: Readonly<Record<string, string>>): Promise<{ status: number; challenge?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { ...headers },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const challenge = res.headers['www-authenticate'];
          resolve({ status: res.statusCode ?? 0, ...(typeof challenge === 'string' ? { challenge } : {}), body });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
