import { readHttpSettings } from './settings';

describe('the HTTP settings of an app', () => {
  it('listen on loopback unless HOST says otherwise', () => {
    expect(readHttpSettings({}, 3001)).toEqual({ host: '127.0.0.1', port: 3001 });
    expect(readHttpSettings({ HOST: '0.0.0.0', PORT: '8080' }, 3001)).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it.each(['-1', '65536', 'http', '30.5'])('refuse PORT=%s, naming the setting', (PORT) => {
    expect(() => readHttpSettings({ PORT }, 3001)).toThrow(expect.objectContaining({ code: 'ERR_SETTINGS_INVALID', setting: 'PORT' }));
  });

  it('trust no proxy unless TRUSTED_PROXIES lists some: addresses, CIDR ranges and the named ranges', () => {
    expect(readHttpSettings({}, 3000).trustedProxies).toBeUndefined();
    expect(readHttpSettings({ TRUSTED_PROXIES: ' 10.0.0.0/8, loopback,2001:db8::1 ,fd00::/8' }, 3000).trustedProxies).toEqual([
      '10.0.0.0/8',
      'loopback',
      '2001:db8::1',
      'fd00::/8',
    ]);
  });

  it.each(['proxy.example', '10.0.0.0/33', '10.0.0.1/8/8', '*', 'fd00::/129'])(
    'refuse TRUSTED_PROXIES=%s, naming the setting',
    (TRUSTED_PROXIES) => {
      expect(() => readHttpSettings({ TRUSTED_PROXIES }, 3000)).toThrow(
        expect.objectContaining({ code: 'ERR_SETTINGS_INVALID', setting: 'TRUSTED_PROXIES' }),
      );
    },
  );
});
