import { readHttpSettings } from './settings';

describe('the HTTP settings of an app', () => {
  it('listen on loopback unless HOST says otherwise', () => {
    expect(readHttpSettings({}, 3001)).toEqual({ host: '127.0.0.1', port: 3001 });
    expect(readHttpSettings({ HOST: '0.0.0.0', PORT: '8080' }, 3001)).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it.each(['-1', '65536', 'http', '30.5'])('refuse PORT=%s, naming the setting', (PORT) => {
    expect(() => readHttpSettings({ PORT }, 3001)).toThrow(expect.objectContaining({ code: 'ERR_SETTINGS_INVALID', setting: 'PORT' }));
  });
});
