import { runServiceToExit } from '@jwt-blast-radius/process';

/** What a start-up failure showed: the exit status, the stderr lines, how many secrets it quoted. */
export interface StartupFailure {
  readonly status: number | null;
  readonly stderr: string[];
  readonly quoted: number;
}

/**
 * Runs a built app with a case of bad settings (see `buildStartupFailureCases`) and reports how it
 * failed, counting the case's secrets that its output (stdout or stderr) quotes.
 *
 * @example
 * await observeStartupFailure(main, { env: { AUTH_MODE: 'none' }, secrets: [] });
 * // { status: 1, stderr: ['mobile-api: AUTH_MODE: unknown mode "none"; ... (ERR_KEYS_UNKNOWN_MODE)'], quoted: 0 }
 */
export async function observeStartupFailure(
  main: string,
  { env, secrets }: { readonly env: Readonly<Record<string, string>>; readonly secrets: readonly string[] },
): Promise<StartupFailure> {
  const { status, stdout, stderr } = await runServiceToExit(main, env);
  const output = `${stdout}${stderr}`;
  return { status, stderr: stderr.trimEnd().split('\n'), quoted: secrets.filter((secret) => output.includes(secret)).length };
}
