import { createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { Strategy, type VerifiedCallback } from 'passport-jwt';
import { runStrategy, type PassportStrategyLike } from './run-strategy';

// passport-jwt's own Strategy, a real HS256 key, tokens signed with jose: what the guard runs, without Nest.
describe('runStrategy: a passport strategy run on one request without passport', () => {
  const key = createSecretKey(randomBytes(32));
  const otherKey = createSecretKey(randomBytes(32));
  const sign = (sub: string, withKey = key) =>
    new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('1m').sign(withKey);
  const requestWith = (token: string | undefined) => ({ headers: token ? { authorization: `Bearer ${token}` } : {} });

  const strategy = (validate: (payload: { sub?: string }) => unknown) =>
    new Strategy(
      {
        jwtFromRequest: (request: { headers: { authorization?: string } }) => request.headers.authorization?.slice(7) ?? null,
        secretOrKeyProvider: (_request: unknown, _token: string, done: (error: unknown, key?: Buffer) => void) =>
          done(null, key as unknown as Buffer),
        algorithms: ['HS256'],
      },
      (payload: { sub?: string }, done: VerifiedCallback) => {
        try {
          done(null, validate(payload));
        } catch (error) {
          done(error);
        }
      },
    ) as unknown as PassportStrategyLike;

  it('resolves with the user the strategy passes to success', async () => {
    await expect(
      runStrategy(
        strategy((payload) => ({ name: payload.sub })),
        requestWith(await sign('alice')),
      ),
    ).resolves.toEqual({ name: 'alice' });
  });

  it("rejects with the strategy's reason for a token signed with another key", async () => {
    await expect(
      runStrategy(
        strategy(() => ({})),
        requestWith(await sign('alice', otherKey)),
      ),
    ).rejects.toMatchObject({
      name: 'JsonWebTokenError',
      message: 'invalid signature',
    });
  });

  it('rejects with what validate threw', async () => {
    const thrown = new Error('claims refused');
    await expect(
      runStrategy(
        strategy(() => {
          throw thrown;
        }),
        requestWith(await sign('alice')),
      ),
    ).rejects.toBe(thrown);
  });

  it('rejects a request without a token', async () => {
    await expect(
      runStrategy(
        strategy(() => ({})),
        requestWith(undefined),
      ),
    ).rejects.toThrow('No auth token');
  });

  it('answers each of several requests in flight on one strategy with its own user, and leaves the strategy as it was', async () => {
    const shared = strategy((payload) => payload.sub);
    const subs = ['alice', 'bob', 'carol', 'dave'];
    const tokens = await Promise.all(subs.map((sub) => sign(sub)));
    await expect(Promise.all(tokens.map((token) => runStrategy(shared, requestWith(token))))).resolves.toEqual(subs);
    expect(Object.keys(shared)).not.toEqual(expect.arrayContaining(['success']));
    expect(Object.prototype.hasOwnProperty.call(shared, 'fail')).toBe(false);
  });
});
