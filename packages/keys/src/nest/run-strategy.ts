/** A strategy's refusal whose challenge is not an Error (a string, say, as some strategies give). */
class StrategyRefusal extends Error {
  constructor(readonly challenge: unknown) {
    super(typeof challenge === 'string' ? challenge : 'refused by the strategy');
    this.name = 'StrategyRefusal';
  }
}

/** What passport gives a strategy to answer one request with (passport-strategy's actions). */
interface StrategyActions {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
  pass(): void;
  redirect(url: string, status?: number): void;
}

/** A passport strategy: passport-jwt's `Strategy`, say, or a class made with `PassportStrategy(Strategy)`. */
export interface PassportStrategyLike {
  authenticate(this: PassportStrategyLike & StrategyActions, request: unknown, options?: object): void;
}

/**
 * Runs a passport strategy's `authenticate` on one request and settles with what it decides: resolves
 * with the user it passes to `success`, rejects with what it passes to `fail` (passport-jwt's reason: a
 * jsonwebtoken error, or the key provider's) or to `error` (what `validate` threw).
 *
 * It does what passport's own middleware does for a strategy, and no more: a per-request object whose
 * prototype is the strategy, with the actions set on it. Passport's `authenticate` middleware, and
 * `@nestjs/passport`'s `AuthGuard` around it, also add `login`, `logout` and `isAuthenticated` to every
 * request, walk a list of strategies, and answer through callbacks; a bearer-token API uses none of it,
 * and it costs more per request than an HS256 signature check.
 *
 * @example
 * const principal = await runStrategy(jwtStrategy, request);
 */
export function runStrategy(strategy: PassportStrategyLike, request: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const run = Object.create(strategy) as PassportStrategyLike & StrategyActions;
    run.success = resolve;
    // passport-jwt fails with an Error (jsonwebtoken's, or the key provider's); passport's own contract allows any challenge.
    run.fail = (challenge?: unknown) => reject(challenge instanceof Error ? challenge : new StrategyRefusal(challenge));
    run.error = reject;
    run.pass = () => reject(new Error('the strategy passed: not supported'));
    run.redirect = () => reject(new Error('the strategy redirected: not supported'));
    run.authenticate(request, {});
  });
}
