import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { AppName } from '@jwt-blast-radius/keys';
import { LAB_PROJECT } from '@jwt-blast-radius/stack';
import { HandError } from './errors';

/** A running container of a compose service, as `docker ps` lists it with {@link CONTAINER_FORMAT}. */
export interface ComposeContainer {
  readonly id: string;
  readonly name: string;
  readonly project: string;
  /** The folder compose was run from (`com.docker.compose.project.working_dir`, set by Compose v1 and v2). */
  readonly workingDir: string;
  readonly service: string;
}

/** The `docker ps --format` template {@link parseComposeContainers} reads: one tab-separated line per container. */
export const CONTAINER_FORMAT = [
  '{{.ID}}',
  '{{.Names}}',
  '{{.Label "com.docker.compose.project"}}',
  '{{.Label "com.docker.compose.project.working_dir"}}',
  '{{.Label "com.docker.compose.service"}}',
].join('\t');

/**
 * Reads the lines `docker ps --format CONTAINER_FORMAT` prints; a line without the five fields is skipped.
 *
 * @example
 * parseComposeContainers('3f2a9c\tmain_mobile-api_1\tmain\t/src/main\tmobile-api\n'); // [{ id: '3f2a9c', ... }]
 */
export function parseComposeContainers(stdout: string): ComposeContainer[] {
  return stdout.split('\n').flatMap((line) => {
    const [id, name, project, workingDir, service, ...rest] = line.split('\t');
    if (!id || !name || !project || workingDir === undefined || !service || rest.length > 0) return [];
    return [{ id, name, project, workingDir, service }];
  });
}

export interface ComposeChoice {
  readonly app: AppName;
  /** The repository's folder, each spelling of it (as given, and with its symbolic links resolved). */
  readonly roots: readonly string[];
  /** The project to take when several run the app (the user's `COMPOSE_PROJECT_NAME`, say). */
  readonly project?: string;
}

/**
 * The container of the app in the compose stack started from the repository's folder, found by the labels Compose
 * v1 and v2 both set, whatever the project's name (`docker-compose up` names it after the folder). When several
 * projects from the folder run the app, the named one is taken, else the one that is not the lab's own
 * ({@link LAB_PROJECT}, which the lab takes down when its run ends). Fails with one line saying what runs instead.
 *
 * @example
 * chooseComposeContainer(parseComposeContainers(stdout), { app: 'mobile-api', roots: [repoRoot] }).project; // 'main'
 */
export function chooseComposeContainer(containers: readonly ComposeContainer[], choice: ComposeChoice): ComposeContainer {
  const { app, roots } = choice;
  const folders = new Set(roots.map(normalFolder));
  const ofApp = containers.filter((container) => container.service === app);
  const here = ofApp.filter((container) => folders.has(normalFolder(container.workingDir)));
  if (here.length === 0) {
    const elsewhere = ofApp[0];
    const hint = elsewhere ? ` (the compose project ${elsewhere.project} from ${elsewhere.workingDir || 'an unknown folder'} does)` : '';
    throw new HandError(
      'ERR_HAND_COMPOSE',
      `no compose stack started from ${roots[0]} runs ${app}${hint}: start one there with docker-compose up -d --build`,
    );
  }
  const projects = [...new Set(here.map((container) => container.project))];
  const chosen =
    projects.length === 1
      ? projects[0]
      : choice.project !== undefined && projects.includes(choice.project)
        ? choice.project
        : singleOrUndefined(projects.filter((project) => project !== LAB_PROJECT));
  if (chosen === undefined) {
    throw new HandError(
      'ERR_HAND_COMPOSE',
      `several compose projects from ${roots[0]} run ${app} (${projects.join(', ')}): set COMPOSE_PROJECT_NAME to the one to loot`,
    );
  }
  return here.find((container) => container.project === chosen)!;
}

/**
 * Finds the app's container in the compose stack started from `root` ({@link chooseComposeContainer}), asking
 * the Docker engine; fails with one line when Docker does not answer.
 *
 * @example
 * const { project } = await findComposeContainer('dashboard-api', { root: REPO_ROOT });
 */
export async function findComposeContainer(app: AppName, { root, project }: { root: string; project?: string }): Promise<ComposeContainer> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(
      'docker',
      ['ps', '--no-trunc', '--filter', `label=com.docker.compose.service=${app}`, '--format', CONTAINER_FORMAT],
      { maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (error) {
    const { code, stderr } = error as { code?: string | number; stderr?: unknown };
    const why =
      code === 'ENOENT'
        ? 'the docker command is not installed'
        : typeof stderr === 'string' && stderr.trim() !== ''
          ? stderr.trim().split('\n').at(-1)!
          : String(code ?? 'error');
    throw new HandError('ERR_HAND_COMPOSE', `docker does not answer: ${why}`, {
      cause: error,
    });
  }
  const roots = [resolve(root), await realpath(root).catch(() => resolve(root))];
  return chooseComposeContainer(parseComposeContainers(stdout), { app, roots, ...(project ? { project } : {}) });
}

function normalFolder(path: string): string {
  return path === '' ? '' : resolve(path);
}

function singleOrUndefined<T>(values: readonly T[]): T | undefined {
  return values.length === 1 ? values[0] : undefined;
}
