import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MODE_NAMES, type ModeName } from '@jwt-blast-radius/keys';
import { DRIVERS, type StackDriver } from '@jwt-blast-radius/stack';

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

/** The options a command declares, as `parseArgs` takes them. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** Where {@link readCommandLine} reads from, and what it allows. */
export interface CommandLineOptions {
  /** The arguments to read: those after the script's name unless given (say, after a subcommand). */
  readonly args?: readonly string[];
  /** Whether arguments other than options are taken; they are a usage error otherwise. */
  readonly allowPositionals?: boolean;
  /** What a usage error does: {@link usageError} (the message, the usage, exit 2) unless given. */
  readonly onUsageError?: (message: string) => never;
}

/**
 * Reads a command line, `--help` (`-h`) added: a wrong option is a usage error; `--help` prints the usage and
 * answers undefined. {@link readCommandOptions} for a command that takes options only.
 *
 * @example
 * const line = readCommandLine('lab', USAGE, { reveal: { type: 'boolean' } }, { args: process.argv.slice(3), allowPositionals: true });
 * if (!line) return 0;
 * const [token] = line.positionals;
 */
export function readCommandLine<T extends CommandOptions>(
  name: string,
  usage: string,
  options: T,
  { args, allowPositionals = false, onUsageError = (message) => usageError(name, message, usage) }: CommandLineOptions = {},
): { values: ReturnType<typeof parseArgs<{ options: T }>>['values']; positionals: string[] } | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      ...(args ? { args: [...args] } : {}),
    });
  } catch (error) {
    return onUsageError((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * Reads a command's options, `--help` (`-h`) added: a wrong option is a usage error (exit 2); `--help` prints
 * the usage and answers undefined.
 *
 * @example
 * const values = readCommandOptions('reload', USAGE, { timeout: { type: 'string' } });
 * if (!values) return 0;
 */
export function readCommandOptions<T extends CommandOptions>(
  name: string,
  usage: string,
  options: T,
): ReturnType<typeof parseArgs<{ options: T }>>['values'] | undefined {
  return readCommandLine(name, usage, options)?.values;
}

/** The options of a command that runs the stack in some modes and reports what it found. */
export interface StackRunOptions {
  readonly modes: readonly ModeName[];
  readonly driver: StackDriver;
  readonly json: string | undefined;
  readonly markdown: string | undefined;
  /** `--insecure`, for a command that takes it. */
  readonly insecure: string | undefined;
}

/**
 * The driver a command uses unless `--driver` names one: `LAB_DRIVER` where it is set (the lab's image sets
 * `compose-network`), else `local`.
 */
export const DEFAULT_DRIVER = process.env.LAB_DRIVER || 'local';

/**
 * Reads the options such a command takes: `--mode` (repeatable; unless given, every mode the driver can run:
 * all of them, or the running stack's one), `--driver`, `--json <file>`, `--markdown <file>`, `--help`, and
 * `--insecure <variant>` where `insecure` is true. A wrong option is a usage error (exit 2); `--help` prints the
 * usage and answers undefined.
 *
 * @example
 * const options = await readStackRunOptions('demo', USAGE, { insecure: true });
 */
export async function readStackRunOptions(name: string, usage: string, { insecure = false } = {}): Promise<StackRunOptions | undefined> {
  const values = readCommandOptions(name, usage, {
    mode: { type: 'string', multiple: true },
    driver: { type: 'string', default: DEFAULT_DRIVER },
    json: { type: 'string' },
    markdown: { type: 'string' },
    ...(insecure ? { insecure: { type: 'string' as const } } : {}),
  });
  if (!values) return undefined;
  const driver = readDriver(name, usage, values.driver);
  const modes = values.mode === undefined ? ((await driver.modes?.()) ?? MODE_NAMES) : readModes(name, usage, values.mode);
  const variant = (values as { insecure?: string }).insecure;
  return { modes, driver, json: values.json, markdown: values.markdown, insecure: variant };
}

/**
 * The driver `--driver` names; an unknown one is a usage error (exit 2).
 *
 * @example
 * const driver = readDriver('drill', USAGE, values.driver); // localDriver for 'local'
 */
export function readDriver(name: string, usage: string, given: string): StackDriver {
  return DRIVERS[given] ?? usageError(name, `unknown driver "${given}"`, usage);
}

/**
 * Reads the `--mode` values a command was given (repeatable): every mode unless given; an unknown one is a
 * usage error (exit 2).
 *
 * @example
 * const modes = readModes('bench', USAGE, values.mode);
 */
export function readModes(name: string, usage: string, given: readonly string[] | undefined): ModeName[] {
  const modes = given ?? MODE_NAMES;
  const unknown = modes.find((mode) => !(MODE_NAMES as readonly string[]).includes(mode));
  if (unknown !== undefined) usageError(name, `unknown mode "${unknown}"`, usage);
  return [...new Set(modes)] as ModeName[];
}

/**
 * Reads a whole-number option: `fallback` when not given, else a whole number from `min` to `max`; anything
 * else is a usage error naming the option (exit 2).
 *
 * @example
 * const rounds = readWholeNumberOption('bench', USAGE, '--rounds', values.rounds, { fallback: 3, min: 1, max: 100 });
 */
export function readWholeNumberOption(
  name: string,
  usage: string,
  option: string,
  value: string | undefined,
  { fallback, min, max }: { readonly fallback: number; readonly min: number; readonly max: number },
): number {
  if (value === undefined) return fallback;
  const number = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) usageError(name, `${option} must be a whole number from ${min} to ${max}, not "${value}"`, usage);
  return number;
}
