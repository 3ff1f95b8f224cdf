import { join } from 'node:path';
import { DEFAULT_ISSUER, MODE_NAMES } from '@jwt-blast-radius/keys';
import {
  describeItsLog,
  describeStartupRefusals,
  itGuardsItsRoutes,
  startAppUnderTest,
  type AppUnderTest,
} from '@jwt-blast-radius/service-kit/testing';
import { AppModule, SERVICE } from '../src/app.module';

const app = 'mobile-api';
const issuer = DEFAULT_ISSUER;

describe.each(MODE_NAMES)('mobile-api in %s', (mode) => {
  let server: AppUnderTest;
  beforeAll(async () => {
    server = await startAppUnderTest({ mode, service: SERVICE, module: (ring) => AppModule.forRoot(ring), issuer });
  });
  afterAll(() => server?.close());

  itGuardsItsRoutes(() => server, mode, { app, issuer, userRoute: '/mobile/feed', adminRoute: '/mobile/admin' });
});

describeStartupRefusals(app, join(__dirname, '..', 'dist', 'main.js'));

describeItsLog({ app, main: join(__dirname, '..', 'dist', 'main.js'), userRoute: '/mobile/feed', adminRoute: '/mobile/admin' });
