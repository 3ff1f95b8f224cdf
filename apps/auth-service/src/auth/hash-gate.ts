/**
 * Lets a bounded number of password hashes run at once, and at most one per client address.
 *
 * Each scrypt check holds 128 MiB and a thread of libuv's small pool for a good part of a second.
 * Unbounded, a flood of guesses queues dozens of them and every login waits behind the flood, a
 * genuine one included. A queue of our own would only move that wait, so past the bound the answer
 * is "busy, try again in a second", at once. One slot per address keeps a single client from taking
 * them all: another user from another address is still served while one address floods.
 *
 * @example
 * const gate = new HashGate(2);
 * const checked = gate.tryRun(address, () => users.authenticate(username, password));
 * if (!checked) throw new ServiceUnavailableException();
 */
export class HashGate {
  private running = 0;
  private readonly addresses = new Set<string>();

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number from 1, not ${capacity}`);
  }

  /** Runs `task` in a free slot for this address, or answers undefined at once when there is none. */
  tryRun<T>(address: string, task: () => Promise<T>): Promise<T> | undefined {
    if (this.running >= this.capacity || this.addresses.has(address)) return undefined;
    this.running += 1;
    this.addresses.add(address);
    const run = async () => {
      try {
        return await task();
      } finally {
        this.running -= 1;
        this.addresses.delete(address);
      }
    };
    return run();
  }
}
