import { APP_NAMES, type ModeName } from '@jwt-blast-radius/keys';
import { compromiseApp, launchChromium, pickMode } from './browser';
import { startWorkshop } from './server';

export interface ScreenshotOptions {
  /** The mode the picture shows; per-app-secret unless given (the one where the blast radius differs by app). */
  readonly mode?: ModeName;
  /** Every progress line of the console, as it comes. */
  readonly log?: (line: string) => void;
}

/**
 * Starts the console on a free port with its own stack, picks a mode on its page, compromises each app in turn
 * so that both matrices are filled, and saves the page from its top to the end of the matrices as a PNG 1280
 * pixels wide (the loot below them is left out). Everything it started is stopped before it answers.
 *
 * @example
 * await takeConsoleScreenshot('docs/workshop-console.png');
 */
export async function takeConsoleScreenshot(file: string, { mode = 'per-app-secret', log }: ScreenshotOptions = {}): Promise<void> {
  await using workshop = await startWorkshop({ port: 0, mode, ...(log ? { log } : {}) });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(workshop.url);
    await pickMode(page, mode);
    for (const app of APP_NAMES) await compromiseApp(page, app);
    const bottoms = await Promise.all(
      ['Blast radius', 'Replay'].map(async (name) => {
        const box = await page.getByRole('table', { name }).boundingBox();
        return box ? box.y + box.height : 0;
      }),
    );
    const height = Math.ceil(Math.max(...bottoms)) + 48;
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: 1280, height }, animations: 'disabled' });
  } finally {
    await browser.close();
  }
}
