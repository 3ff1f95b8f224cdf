import { readKeysSettings, type KeysSettings } from '@jwt-blast-radius/keys';
import { readHttpSettings, readLogSettings, type Env, type HttpSettings, type LogSettings } from '@jwt-blast-radius/service-kit';

export interface AppConfig {
  readonly http: HttpSettings;
  readonly log: LogSettings;
  readonly keys: KeysSettings;
}

/** The one place that reads the environment: `HOST`, `PORT`, `LOG_LEVEL` and the key settings. */
export function loadConfig(env: Env): AppConfig {
  return { http: readHttpSettings(env, 3002), log: readLogSettings(env), keys: readKeysSettings(env, 'mobile-api') };
}
