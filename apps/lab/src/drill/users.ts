import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtectedHeader } from 'jose';
import { APP_NAMES, type AppName } from '@jwt-blast-radius/keys';
import { fetchWithin } from '@jwt-blast-radius/process';
import { ROUTES } from '../targets';

/** A demo user of the auth service (apps/auth-service/seed/users.json), as the README lists them. */
export interface DrillUser {
  readonly username: string;
  readonly password: string;
}

/** The users whose steady traffic the drill keeps up through a recovery. */
export const DRILL_USERS: readonly DrillUser[] = [
  { username: 'alice', password: 'wonderland-alice' },
  { username: 'bob', password: 'builder-bob' },
  { username: 'admin', password: 'admin-demo-only' },
];

/** One request of the load: who sent it, where, with a token signed under which kid, and the answer. */
export interface LoadRequest {
  /** When it was sent, milliseconds since the epoch. */
  readonly time: number;
  /** When its answer came. */
  readonly answeredAt: number;
  readonly user: string;
  readonly audience: AppName;
  readonly kid: string;
  readonly status: number;
}

/** What the load did, once stopped. */
export interface LoadRecord {
  readonly requests: readonly LoadRequest[];
  /** Logins that gave a token, the first of each user and audience included. */
  readonly logins: number;
  /** Logins after a token was refused: a user sent back to the login page. */
  readonly relogins: number;
  /** Answers 429 or 503 to the load's logins (each retried after its `Retry-After`). */
  readonly loginsThrottled: number;
  /** Seconds from the first call (every user logged in) until the load stopped. */
  readonly seconds: number;
}

export interface LoadOptions {
  /** Base URL of each service. */
  readonly urls: Readonly<Record<AppName, string>>;
  /** Milliseconds between two calls of one user to one audience. */
  readonly intervalMs: number;
  readonly users?: readonly DrillUser[];
}

/**
 * The valid users' steady traffic: each user logs in once per audience, then calls that audience's user route
 * over and over; a user whose token is refused logs in again, and that is counted. Logins go one at a time, as
 * a client that waits for its answer would, so the auth service's limit of password hashes in flight is never
 * what refuses them.
 *
 * @example
 * const load = await UserLoad.start({ urls, intervalMs: 300 });
 * const held = load.tokens(); // every user's current token per audience
 * const record = await load.stop();
 */
export class UserLoad {
  private readonly requests: LoadRequest[] = [];
  private readonly current = new Map<string, string>();
  private logins = 0;
  private relogins = 0;
  private loginsThrottled = 0;
  private stopped = false;
  private loginQueue: Promise<unknown> = Promise.resolve();
  private loops: Promise<void>[] = [];
  private failure: Error | undefined;
  private callsFrom = 0;

  private constructor(private readonly options: LoadOptions) {}

  /** Logs every user in for every audience, then starts their calls. */
  static async start(options: LoadOptions): Promise<UserLoad> {
    const load = new UserLoad(options);
    const users = options.users ?? DRILL_USERS;
    for (const user of users) for (const audience of APP_NAMES) load.current.set(keyOf(user, audience), await load.logIn(user, audience));
    load.callsFrom = Date.now();
    // A failed call ends the drill when the load stops (kept here, not left as an unhandled rejection).
    load.loops = users.flatMap((user) =>
      APP_NAMES.map((audience) =>
        load.run(user, audience).catch((error: unknown) => {
          load.failure ??= error instanceof Error ? error : new Error(String(error));
        }),
      ),
    );
    return load;
  }

  /** When the calls began (every user logged in), milliseconds since the epoch. */
  get startedAt(): number {
    return this.callsFrom;
  }

  /** The token each user holds now for each audience, keyed `<username> <audience>`. */
  tokens(): ReadonlyMap<string, string> {
    return new Map(this.current);
  }

  /** The requests sent so far. */
  sent(): readonly LoadRequest[] {
    return this.requests;
  }

  /**
   * Waits until every user has had a call to every audience sent at or after `since` (milliseconds since the
   * epoch) and answered 200, or until `timeoutMs` has passed: the pairs still waiting, `<username> <audience>`.
   * How long it takes depends on the machine; what it guarantees does not.
   */
  async waitForCallsSince(since: number, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answered = new Set(
        this.requests
          .filter((request) => request.time >= since && request.status === 200)
          .map((request) => keyOf({ username: request.user }, request.audience)),
      );
      const waiting = [...this.current.keys()].filter((pair) => !answered.has(pair));
      if (waiting.length === 0 || this.failure !== undefined || Date.now() >= deadline) return waiting;
      await sleep(20);
    }
  }

  async stop(): Promise<LoadRecord> {
    this.stopped = true;
    await Promise.all(this.loops);
    if (this.failure !== undefined) throw this.failure;
    return {
      requests: [...this.requests],
      logins: this.logins,
      relogins: this.relogins,
      loginsThrottled: this.loginsThrottled,
      seconds: (Date.now() - this.callsFrom) / 1000,
    };
  }

  private async run(user: DrillUser, audience: AppName): Promise<void> {
    const url = `${this.options.urls[audience]}${ROUTES[audience].user}`;
    while (!this.stopped) {
      const token = this.current.get(keyOf(user, audience))!;
      const time = Date.now();
      const response = await fetchWithin(10_000, url, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      this.requests.push({ time, answeredAt: Date.now(), user: user.username, audience, kid: kidOf(token), status: response.status });
      if (response.status === 401 && !this.stopped) {
        this.relogins += 1;
        this.current.set(keyOf(user, audience), await this.logIn(user, audience));
      }
      await sleep(this.options.intervalMs);
    }
  }

  /** Logs a user in for an audience, one login at a time, retrying a throttled login after its `Retry-After`. */
  private logIn(user: DrillUser, audience: AppName): Promise<string> {
    const attempt = this.loginQueue.then(async () => {
      for (;;) {
        const response = await fetchWithin(10_000, `${this.options.urls['auth-service']}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...user, audience }),
        });
        if (response.status === 429 || response.status === 503) {
          await response.arrayBuffer();
          this.loginsThrottled += 1;
          await sleep(1000 * Math.max(1, Number(response.headers.get('retry-after')) || 1));
          continue;
        }
        if (!response.ok) throw new Error(`${user.username}'s login for ${audience} answered ${response.status}`);
        this.logins += 1;
        return ((await response.json()) as { access_token: string }).access_token;
      }
    });
    this.loginQueue = attempt.catch(() => undefined);
    return attempt;
  }
}

/** A user's calls to one audience, as the load keys them: `<username> <audience>`. */
export function keyOf(user: Pick<DrillUser, 'username'>, audience: AppName): string {
  return `${user.username} ${audience}`;
}

/** The kid in a token's protected header. */
export function kidOf(token: string): string {
  const { kid } = decodeProtectedHeader(token);
  return typeof kid === 'string' ? kid : '';
}
