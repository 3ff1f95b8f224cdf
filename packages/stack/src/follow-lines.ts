import { watch } from 'node:fs';
import { open } from 'node:fs/promises';

/** A file being followed; `close()` stops following it. */
export interface LineFollower {
  close(): void;
}

/**
 * Calls `onLine` for each complete line written to a file from byte `from` on, as `tail -f` does: it reads
 * what is there at once, then again each time the file changes, told by the file system (a watch, not a
 * timer). A line split across two writes is given whole, once its newline is written.
 *
 * @example
 * const follower = followLines('.logs/mobile-api.jsonl', 0, (line) => console.log(line));
 * follower.close();
 */
export function followLines(path: string, from: number, onLine: (line: string) => void, onError?: (error: unknown) => void): LineFollower {
  let offset = from;
  let partial = Buffer.alloc(0);
  let reading = false;
  let again = false;
  let closed = false;

  const readNew = async () => {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await file.read({ buffer, position: offset });
        if (bytesRead === 0 || closed) return;
        offset += bytesRead;
        let rest = Buffer.concat([partial, buffer.subarray(0, bytesRead)]);
        for (let end = rest.indexOf(0x0a); end >= 0; end = rest.indexOf(0x0a)) {
          const line = rest.subarray(0, end).toString('utf8');
          rest = rest.subarray(end + 1);
          if (!closed) onLine(line);
        }
        partial = rest;
      }
    } finally {
      await file.close();
    }
  };

  const read = (): void => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    void readNew()
      .catch((error: unknown) => onError?.(error))
      .finally(() => {
        reading = false;
        if (again && !closed) {
          again = false;
          read();
        }
      });
  };

  const watcher = watch(path, () => read());
  watcher.on('error', (error) => onError?.(error));
  read();
  return {
    close() {
      closed = true;
      watcher.close();
    },
  };
}
