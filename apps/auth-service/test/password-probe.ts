import { setTimeout as sleep } from 'node:timers/promises';
import { verifyPassword, type PasswordVerifier } from '../src/users/password';

/**
 * Wraps the real scrypt check to observe it from outside: how many checks ran, how many ran at once,
 * and how many were running when each began. Checks of a held password wait, still in flight, until
 * {@link PasswordProbe.release}, so a test can see what the service answers while its hashes are busy.
 */
export class PasswordProbe {
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** For each check, in the order they began: its password and the checks in flight, itself included. */
  readonly started: { readonly password: string; readonly inFlight: number }[] = [];
  private readonly held = new Set<string>();
  private releaseHeld = () => {};
  private released = this.nextRelease();

  readonly verify: PasswordVerifier = async (password, stored) => {
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.started.push({ password, inFlight: this.inFlight });
    try {
      if (this.held.has(password)) await this.released;
      return await verifyPassword(password, stored);
    } finally {
      this.inFlight -= 1;
    }
  };

  /** Checks of this password wait for {@link release} before they hash. */
  hold(password: string): void {
    this.held.add(password);
  }

  /** Lets every held check go on, and holds no more. */
  release(): void {
    this.held.clear();
    this.releaseHeld();
    this.released = this.nextRelease();
  }

  private nextRelease(): Promise<void> {
    return new Promise((resolve) => (this.releaseHeld = resolve));
  }
}

/**
 * Resolves once `condition` holds, checking it every few milliseconds, or after `giveUpMs` when it never
 * does: the test's own expectations then show what was observed instead of a bare timeout.
 */
export async function waitUntil(condition: () => boolean, giveUpMs = 20_000): Promise<void> {
  const giveUpAt = Date.now() + giveUpMs;
  while (!condition() && Date.now() < giveUpAt) await sleep(5);
}
