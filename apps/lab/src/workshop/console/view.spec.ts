import { APP_NAMES, MODE_NAMES, generateKeySet, getMode, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { secretValuesOf } from '@jwt-blast-radius/keys/testing';
import type { Loot } from '@jwt-blast-radius/stack';
import { describeHoldings, drawKeys } from './picture';
import { revealSecrets, viewLoot } from './view';

async function lootOf(mode: ModeName, app: AppName) {
  const material = await generateKeySet(mode);
  const loot: Loot = {
    app,
    source: 'pid 1',
    env: { PATH: '/bin', AUTH_MODE: mode, KEYS_DIR: `/keys/${app}` },
    files: [{ path: `/keys/${app}/keys.json`, text: JSON.stringify(material[app]) }],
  };
  return { loot, secrets: secretValuesOf(material[app]) };
}

describe('the loot as the page shows it', () => {
  it.each(MODE_NAMES.flatMap((mode) => APP_NAMES.map((app) => [mode, app] as const)))(
    '%s, %s compromised: names what can sign for whom and masks every secret until revealed',
    async (mode, app) => {
      const { loot, secrets } = await lootOf(mode, app);
      const view = viewLoot(loot, mode);
      const shown = JSON.stringify(view);
      expect(secrets.filter((secret) => shown.includes(secret))).toEqual([]);
      expect(view.env.map(([name]) => name)).toEqual(['AUTH_MODE', 'KEYS_DIR']);
      const definition = getMode(mode);
      expect(view.signing.map((key) => key.key)).toEqual([...definition.holdings[app]]);
      for (const key of view.signing) {
        expect(key.signsFor).toEqual(APP_NAMES.filter((audience) => definition.signingKey[audience] === key.key));
      }
      const revealed = revealSecrets(loot).keys.flatMap((key) => key.members.map(([, value]) => value));
      expect(revealed.sort()).toEqual([...secrets].sort());
    },
  );
});

describe('drawKeys', () => {
  it.each(MODE_NAMES)('draws the keys each service holds and trusts in %s', (mode) => {
    const svg = drawKeys(mode);
    const definition = getMode(mode);
    for (const app of APP_NAMES) {
      const drawn = svg.split('<g class="service" ').find((box) => box.startsWith(`data-app="${app}"`)) ?? '';
      const held = [...drawn.matchAll(/data-held="([^"]+)"/g)].map((match) => match[1]);
      expect({ app, held }).toEqual({ app, held: [...definition.holdings[app]] });
      expect(drawn).toContain(`data-trusted="${definition.signingKey[app]}"`);
    }
    expect(svg).toContain(`aria-label="Keys in ${mode}: ${describeHoldings(mode)}"`);
  });
});
