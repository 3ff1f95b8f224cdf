/**
 * Runs a command's `main` and exits with the status it returns; a failure prints one line, `<name>: <why>`,
 * and exits with status 1. The exit waits until standard output is flushed: a report larger than a pipe's
 * buffer (64 KB), sent to `| less` or `| tail`, would otherwise be cut short by `process.exit`.
 *
 * @example
 * runCommand('attacks', main);
 */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(exitWhenFlushed, (error: unknown) => {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    exitWhenFlushed(1);
  });
}

/**
 * Stops a command that was used wrongly: the message and its usage on stderr, and exit status 2.
 *
 * @example
 * usageError('demo', `unknown mode "${mode}"`, USAGE);
 */
export function usageError(name: string, message: string, usage: string): never {
  process.stderr.write(`${name}: ${message}\n${usage}\n`);
  process.exit(2);
}

function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.exit(code));
}
