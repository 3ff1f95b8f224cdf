import { loadKeyRing } from '@jwt-blast-radius/keys';
import { runService } from '@jwt-blast-radius/service-kit';
import { AppModule, SERVICE } from './app.module';
import { loadConfig } from './config/config';

runService(SERVICE, async () => {
  const config = loadConfig(process.env);
  return { module: AppModule.forRoot(await loadKeyRing(config.keys)), http: config.http, log: config.log };
});
