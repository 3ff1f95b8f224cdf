/** The body of every 401 the token guard answers, whatever the reason. */
export const UNAUTHORIZED_BODY = JSON.stringify({ message: 'Unauthorized', statusCode: 401 });

/** The parts of an HTTP response that {@link outcomeOf} reads (a supertest response has them). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
}

/**
 * What a guarded route made of a token: `accept` for a 200; `refuse` for the one refusal the apps
 * give (a 401, the RFC 6750 §3.1 `invalid_token` challenge and the same bare body); anything else is
 * described as it came back, so that a table of outcomes shows it beside the expected word.
 *
 * @example
 * outcomeOf(await request(url).get('/mobile/feed').set('Authorization', `Bearer ${token}`)); // 'refuse'
 */
export function outcomeOf({ status, headers, text }: HttpAnswer): string {
  const challenge = headers['www-authenticate'];
  if (status === 200) return 'accept';
  if (status === 401 && challenge?.includes('error="invalid_token"') && text === UNAUTHORIZED_BODY) return 'refuse';
  return `${status} ${challenge ?? '(no challenge)'} ${text}`;
}
