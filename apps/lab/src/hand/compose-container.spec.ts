import { LAB_PROJECT } from '@jwt-blast-radius/stack';
import { CONTAINER_FORMAT, chooseComposeContainer, parseComposeContainers, type ComposeContainer } from './compose-container';
import { HandError } from './errors';

// Which container `npm run lab -- loot --compose` takes: read from `docker ps` lines, chosen by the labels Compose
// v1 and v2 set, whatever the project is called.
const ROOT = '/src/jwt-blast-radius';

const container = (project: string, service: string, workingDir = ROOT): ComposeContainer => ({
  id: `${project}-${service}-id`,
  name: `${project}_${service}_1`,
  project,
  workingDir,
  service,
});

const choose = (containers: ComposeContainer[], project?: string) => {
  try {
    return chooseComposeContainer(containers, { app: 'dashboard-api', roots: [ROOT], ...(project ? { project } : {}) }).name;
  } catch (error) {
    return error instanceof HandError ? `${error.exitStatus}: ${error.message}` : String(error);
  }
};

describe('finding the container of an app in the compose stack started from the repository', () => {
  it('reads the tab-separated lines docker ps prints with the format, skipping any other', () => {
    expect(CONTAINER_FORMAT.split('\t')).toHaveLength(5);
    const stdout = [
      `3f2a9c1b2d4e\tjwt-blast-radius_dashboard-api_1\tjwt-blast-radius\t${ROOT}\tdashboard-api`,
      'a line from something else',
      `77aa\tlonely\t\t\t`,
      '',
    ].join('\n');
    expect(parseComposeContainers(stdout)).toEqual([
      {
        id: '3f2a9c1b2d4e',
        name: 'jwt-blast-radius_dashboard-api_1',
        project: 'jwt-blast-radius',
        workingDir: ROOT,
        service: 'dashboard-api',
      },
    ]);
  });

  it.each([
    [
      'the project named after the folder, as docker-compose up names it',
      [container('jwt-blast-radius', 'dashboard-api'), container('jwt-blast-radius', 'mobile-api')],
      undefined,
      'jwt-blast-radius_dashboard-api_1',
    ],
    ['a project given its own name (-p, COMPOSE_PROJECT_NAME)', [container('demo', 'dashboard-api')], undefined, 'demo_dashboard-api_1'],
    ['the working folder spelt with a trailing slash', [container('x', 'dashboard-api', `${ROOT}/`)], undefined, 'x_dashboard-api_1'],
    [
      'the user’s stack rather than the lab’s own, when both run',
      [container(LAB_PROJECT, 'dashboard-api'), container('mine', 'dashboard-api')],
      undefined,
      'mine_dashboard-api_1',
    ],
    ['the project named, when several run', [container('a', 'dashboard-api'), container('b', 'dashboard-api')], 'b', 'b_dashboard-api_1'],
    [
      'none when several run and none is named',
      [container('a', 'dashboard-api'), container('b', 'dashboard-api')],
      undefined,
      `1: several compose projects from ${ROOT} run dashboard-api (a, b): set COMPOSE_PROJECT_NAME to the one to loot`,
    ],
    [
      'none from another folder, saying which runs there',
      [container('other', 'dashboard-api', '/elsewhere/clone'), container('here', 'mobile-api')],
      undefined,
      `1: no compose stack started from ${ROOT} runs dashboard-api (the compose project other from /elsewhere/clone does): start one there with docker-compose up -d --build`,
    ],
    [
      'none when nothing runs',
      [],
      undefined,
      `1: no compose stack started from ${ROOT} runs dashboard-api: start one there with docker-compose up -d --build`,
    ],
  ])('takes %s', (_case, containers, project, expected) => {
    expect(choose(containers, project)).toBe(expected);
  });
});
