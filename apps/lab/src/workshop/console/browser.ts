import { access } from 'node:fs/promises';
import { APP_NAMES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, which playwright-core drives: Playwright's own browser download is never used. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Launches Debian's chromium headless; fails with one line saying how to install it when it is missing.
 *
 * @example
 * const browser = await launchChromium();
 */
export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH);
  } catch {
    throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium with \`apt-get install chromium\``);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
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
