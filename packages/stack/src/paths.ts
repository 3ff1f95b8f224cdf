import { join } from 'node:path';

/** The root of the repository (this runs from packages/stack/dist). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
