import { join } from 'node:path';

/** The root of the repository (the lab runs from packages/lab/dist). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
