import { readKeysSettings, type KeysSettings } from '@jwt-blast-radius/keys';
import { readHttpSettings, type Env, type HttpSettings } from '@jwt-blast-radius/service-kit';

export interface AppConfig {
  readonly http: HttpSettings;
  readonly keys: KeysSettings;
}

/** The one place that reads the environment: `HOST`, `PORT` and the key settings. */
export function loadConfig(env: Env): AppConfig {
  return { http: readHttpSettings(env, 3002), keys: readKeysSettings(env, 'mobile-api') };
}
