import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** How long the folder must be quiet after a change before the file is read: one update, one reload. */
export const KEY_WATCH_DEBOUNCE_MS = 250;

export interface KeyFileWatch {
  /** Stops watching. */
  close(): void;
}

export interface KeyFileWatchOptions {
  /** Called once a change has settled and the file reads differently from the last time (or no longer reads). */
  readonly onChange: () => void | Promise<void>;
  /** Called when the folder cannot be watched any more (deleted, say: the app keeps its keys and SIGHUP still works), or `onChange` failed. */
  readonly onError?: (error: Error) => void;
  readonly debounceMs?: number;
}

/**
 * Watches the folder that holds a key file, and calls `onChange` when the file it reads changes: by an ordinary
 * rename over it, or by the kubelet's update of a mounted Secret (a new timestamped folder, a new `..data`
 * symlink renamed over the old one, the old folder deleted). Events are debounced; the file is then read through
 * its symlinks, and only a content that differs from the last one read counts, so a touch or an unrelated file
 * in the folder reloads nothing. The watch does not keep the process alive.
 *
 * @example
 * const watch = watchKeyFile('/keys/orders-api/keys.json', { onChange: () => keys.reload() });
 */
export async function watchKeyFile(
  path: string,
  { onChange, onError, debounceMs = KEY_WATCH_DEBOUNCE_MS }: KeyFileWatchOptions,
): Promise<KeyFileWatch> {
  let last = await fingerprint(path);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const settled = () => {
    running = running
      .then(async () => {
        const now = await fingerprint(path);
        if (now === last) return;
        last = now;
        await onChange();
      })
      // A change handler that fails must not stop the watch: the next change is still seen.
      .catch((error: unknown) => onError?.(error instanceof Error ? error : new Error(String(error))));
  };
  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, () => {
    clearTimeout(timer);
    timer = setTimeout(settled, debounceMs);
    timer.unref();
  });
  watcher.on('error', (error) => {
    watcher.close();
    onError?.(error);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

/** A digest of what the file holds now, or of why it cannot be read. */
async function fingerprint(path: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}
