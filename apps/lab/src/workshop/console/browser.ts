import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { APP_NAMES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The names Chromium goes by on PATH, in the order they are looked for: Debian's, Ubuntu's, Google's. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'] as const;

/** What to do when no Chromium is found, in one line. */
export const NO_CHROMIUM =
  `no Chromium: set CHROME_PATH to its executable, or put one of ${CHROMIUM_NAMES.join(', ')} on PATH ` +
  "(Debian: apt-get install chromium); playwright-core drives it, and Playwright's own browser download is never used";

/**
 * Finds Chromium as the console's test and `--screenshot` use it: `CHROME_PATH` when set (it must be an
 * executable file), otherwise the first of {@link CHROMIUM_NAMES} found on `PATH`; undefined when there is none.
 *
 * @example
 * findChromium(process.env); // '/usr/bin/chromium' on Debian with the chromium package
 */
export function findChromium(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.CHROME_PATH) {
    if (!isExecutable(env.CHROME_PATH)) throw new Error(`CHROME_PATH is ${env.CHROME_PATH}, which is not an executable file`);
    return env.CHROME_PATH;
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Launches the Chromium {@link findChromium} finds, headless; fails with one line saying what to do when there is none.
 *
 * @example
 * const browser = await launchChromium();
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium(process.env);
  if (!executablePath) throw new Error(NO_CHROMIUM);
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/**
 * Waits until the console's page has no operation under way, then answers its status line; fails with that line
 * when the stack is not running.
 *
 * @example
 * await waitUntilReady(page);
 */
export async function waitUntilReady(page: Page, timeout = 60_000): Promise<string> {
  await page.locator('body[data-busy="false"]').waitFor({ timeout });
  const status = page.getByRole('status');
  const text = (await status.textContent()) ?? '';
  if ((await status.getAttribute('data-state')) !== 'ready') throw new Error(`the console is not ready: ${text}`);
  return text;
}

/**
 * Picks a mode with the page's "Mode" control, as a trainer does, and waits for its stack.
 *
 * @example
 * await pickMode(page, 'per-app-secret');
 */
export async function pickMode(page: Page, mode: ModeName): Promise<void> {
  await waitUntilReady(page);
  const control = page.getByLabel('Mode', { exact: true });
  if ((await control.inputValue()) === mode) return;
  await control.selectOption(mode);
  await waitUntilReady(page);
}

/**
 * Clicks "Compromise <app>" and waits until its probes have all answered.
 *
 * @example
 * for (const app of APP_NAMES) await compromiseApp(page, app);
 */
export async function compromiseApp(page: Page, app: AppName): Promise<void> {
  await page.getByRole('button', { name: `Compromise ${app}`, exact: true }).click();
  await waitUntilReady(page);
}

/**
 * The text of each cell of a matrix's row, by target: found by the table's accessible name and the row's header.
 *
 * @example
 * await readMatrixRow(page, 'Blast radius', 'mobile-api'); // { 'auth-service': 'refused 401 ✓ as expected', ... }
 */
export async function readMatrixRow(page: Page, table: string, compromised: AppName): Promise<Record<AppName, string>> {
  const matrix = page.getByRole('table', { name: table, exact: true });
  const headers = (await matrix.locator('thead th').allTextContents()).map((text) => text.trim());
  const row = matrix.getByRole('row').filter({ has: page.getByRole('rowheader', { name: compromised, exact: true }) });
  const cells = await row.getByRole('cell').allInnerTexts();
  const targets = headers.slice(1);
  if (targets.join() !== APP_NAMES.join()) throw new Error(`the ${table} table's columns are ${targets.join(', ')}`);
  return Object.fromEntries(targets.map((target, i) => [target, (cells[i] ?? '').replace(/\s+/g, ' ').trim()])) as Record<AppName, string>;
}
