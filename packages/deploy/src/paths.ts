import { join } from 'node:path';

/** The repository's root, from this package's build (packages/deploy/dist) or source alike. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Where the demo's manifests are committed. */
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy', 'k8s');

/** Where manifests for names of one's own are written: git-ignored. */
export const OWN_DIR = join(DEPLOY_DIR, 'own');
