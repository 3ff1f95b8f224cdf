import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { APP_NAMES, MODE_NAMES, generateKeySet, writeKeyFolders, type AppName } from '@jwt-blast-radius/keys';
import { findFreePorts, outcomeOf, spawnService, type SpawnedService } from '@jwt-blast-radius/service-kit/testing';

// Each app runs from its build, as it is deployed: the apps meet over HTTP only, never in source.
const mainOf = (app: AppName) => join(__dirname, '..', '..', app, 'dist', 'main.js');

describe.each(MODE_NAMES)('the three apps in %s', (mode) => {
  let dir: string;
  const services = new Map<AppName, SpawnedService>();
  const urlOf = (app: AppName) => services.get(app)!.url;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stack-'));
    const folders = await writeKeyFolders(dir, await generateKeySet(mode));
    const free = await findFreePorts(APP_NAMES.length);
    const portOf = (app: AppName) => String(free[APP_NAMES.indexOf(app)]);
    const issuer = `http://127.0.0.1:${portOf('auth-service')}`;
    const started = await Promise.allSettled(
      APP_NAMES.map(async (app) => {
        services.set(app, await spawnService(mainOf(app), { AUTH_MODE: mode, KEYS_DIR: folders[app]!, PORT: portOf(app), ISSUER: issuer }));
      }),
    );
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...services.values()].map((service) => service.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('opens /dashboard/summary to a token the auth service issued for dashboard-api, which /mobile/feed refuses', async () => {
    const login = await request(urlOf('auth-service'))
      .post('/auth/login')
      .send({ username: 'alice', password: 'wonderland-alice', audience: 'dashboard-api' });
    expect(login.status).toBe(200);
    const present = async (app: AppName, path: string) =>
      outcomeOf(await request(urlOf(app)).get(path).set('Authorization', `Bearer ${login.body.access_token}`));
    expect({
      'dashboard-api /dashboard/summary': await present('dashboard-api', '/dashboard/summary'),
      'mobile-api /mobile/feed': await present('mobile-api', '/mobile/feed'),
    }).toEqual({
      'dashboard-api /dashboard/summary': 'accept',
      'mobile-api /mobile/feed': 'refuse',
    });
  }, 120_000);
});
