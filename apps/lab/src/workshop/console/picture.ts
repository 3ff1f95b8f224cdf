import { APP_NAMES, ISSUER_APP, getMode, type AppName, type ModeLayout, type ModeName } from '@jwt-blast-radius/keys';

/** One colour per key of a mode, in the order of the mode's `keys`. */
const KEY_COLOURS = ['#6d28d9', '#1d4ed8', '#0f766e', '#b45309'] as const;

const WIDTH = 1200;
const HEIGHT = 400;
const BOX_WIDTH = 430;
const CHIP_HEIGHT = 32;

/** Where each service is drawn: the issuer on the left, the two APIs on the right. */
const BOXES: Readonly<Record<AppName, { readonly x: number; readonly y: number; readonly height: number }>> = {
  'auth-service': { x: 16, y: 16, height: 344 },
  'dashboard-api': { x: WIDTH - BOX_WIDTH - 16, y: 16, height: 164 },
  'mobile-api': { x: WIDTH - BOX_WIDTH - 16, y: 196, height: 164 },
};

const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes text for an SVG (XML) text node or attribute value.
 *
 * @example
 * escapeXml('a < b'); // 'a &lt; b'
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char]!);
}

function kindOf(definition: ModeLayout<AppName>, key: string, held: boolean): string {
  const kty = definition.keys.find((candidate) => candidate.name === key)?.kty;
  if (kty === 'oct') return `${definition.alg} secret`;
  return held ? 'RSA private key' : 'RSA public key (JWKS)';
}

function colourOf(definition: ModeLayout<AppName>, key: string): string {
  const index = definition.keys.findIndex((candidate) => candidate.name === key);
  return KEY_COLOURS[index % KEY_COLOURS.length]!;
}

/** A key as a chip: filled where the app holds it (it can sign with it), outlined where it can only verify. */
function chip(definition: ModeLayout<AppName>, key: string, x: number, y: number, held: boolean, role: 'held' | 'trusted'): string {
  const colour = colourOf(definition, key);
  const label = `${key} · ${kindOf(definition, key, held)}`;
  const width = Math.round(label.length * 10.2 + 28);
  const fill = held ? colour : '#ffffff';
  const ink = held ? '#ffffff' : colour;
  return (
    `<g class="key" data-${role}="${escapeXml(key)}">` +
    `<rect x="${x}" y="${y}" width="${width}" height="${CHIP_HEIGHT}" rx="16" fill="${fill}" stroke="${colour}" stroke-width="3"/>` +
    `<text x="${x + 14}" y="${y + 22}" fill="${ink}" font-size="16" font-weight="600">${escapeXml(label)}</text></g>`
  );
}

function serviceBox(definition: ModeLayout<AppName>, app: AppName): string {
  const { x, y, height } = BOXES[app];
  const held = definition.holdings[app];
  const trusted = definition.signingKey[app];
  const issuer = app === ISSUER_APP;
  const parts = [
    `<g class="service" data-app="${app}">`,
    `<rect class="box" x="${x}" y="${y}" width="${BOX_WIDTH}" height="${height}" rx="14" fill="#f8fafc" stroke="#334155" stroke-width="2"/>`,
    `<text x="${x + 20}" y="${y + 36}" font-size="26" font-weight="700" fill="#0f172a">${app}</text>`,
    `<text class="badge" display="none" x="${x + BOX_WIDTH - 20}" y="${y + 34}" text-anchor="end" font-size="18" font-weight="700" fill="#b91c1c">COMPROMISED</text>`,
    `<text x="${x + 20}" y="${y + 62}" font-size="16" fill="#475569">${issuer ? 'the issuer: signs every token' : `an API: accepts aud=${app}`}</text>`,
  ];
  let line = y + 78;
  parts.push(`<text x="${x + 20}" y="${line + 22}" font-size="17" fill="#0f172a">holds</text>`);
  if (held.length === 0) {
    const what = definition.publishesJwks ? 'no key: only the JWKS URL' : 'no key';
    parts.push(`<text class="no-key" x="${x + 88}" y="${line + 22}" font-size="17" font-style="italic" fill="#475569">${what}</text>`);
    line += CHIP_HEIGHT + 8;
  }
  for (const key of held) {
    parts.push(chip(definition, key, x + 88, line, true, 'held'));
    line += CHIP_HEIGHT + 8;
  }
  if (issuer) line += 12;
  parts.push(`<text x="${x + 20}" y="${line + 22}" font-size="17" fill="#0f172a">trusts</text>`);
  parts.push(chip(definition, trusted, x + 88, line, held.includes(trusted), 'trusted'));
  parts.push('</g>');
  return parts.join('');
}

/** The arrows between the issuer and an API: the tokens it issues, and the JWKS the API fetches when it holds no key. */
function arrows(definition: ModeLayout<AppName>, app: AppName): string {
  const from = BOXES[ISSUER_APP].x + BOX_WIDTH;
  const to = BOXES[app].x;
  const middle = BOXES[app].y + BOXES[app].height / 2;
  const centre = (from + to) / 2;
  const parts = [
    `<line x1="${from}" y1="${middle - 10}" x2="${to - 4}" y2="${middle - 10}" stroke="#334155" stroke-width="3" marker-end="url(#arrow)"/>`,
    `<text x="${centre}" y="${middle - 42}" text-anchor="middle" font-size="16" fill="#0f172a">tokens for aud=${app}</text>`,
    `<text x="${centre}" y="${middle - 20}" text-anchor="middle" font-size="16" fill="#0f172a">signed with key ${escapeXml(definition.signingKey[app])}</text>`,
  ];
  if (definition.holdings[app].length === 0 && definition.publishesJwks) {
    parts.push(
      `<line x1="${to}" y1="${middle + 14}" x2="${from + 4}" y2="${middle + 14}" stroke="#64748b" stroke-width="3" stroke-dasharray="8 6" marker-end="url(#arrow-grey)"/>`,
      `<text x="${centre}" y="${middle + 38}" text-anchor="middle" font-size="16" fill="#475569">fetches the public key (JWKS)</text>`,
    );
  }
  return parts.join('');
}

/**
 * A short sentence per app of who holds what, for the picture's accessible name.
 *
 * @example
 * describeHoldings('rs256-jwks'); // 'auth-service holds issuer; dashboard-api holds no key; mobile-api holds no key'
 */
export function describeHoldings(mode: ModeName): string {
  const definition = getMode(mode);
  return APP_NAMES.map((app) => {
    const held = definition.holdings[app];
    return `${app} holds ${held.length > 0 ? held.join(', ') : 'no key'}`;
  }).join('; ');
}

/**
 * The three services of a mode and the keys each holds, as an inline SVG drawn from the mode table: a filled key
 * can sign, an outlined one can only verify; each API's "trusts" key is the one that signs its audience. An
 * attacker in one box can forge for another wherever the other box's trusted key is among the first box's keys.
 *
 * @example
 * document.body.innerHTML = drawKeys('per-app-secret');
 */
export function drawKeys(mode: ModeName): string {
  const definition = getMode(mode);
  const marker = (id: string, colour: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0 0 L10 5 L0 10 z" fill="${colour}"/></marker>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" ` +
      `aria-label="Keys in ${mode}: ${escapeXml(describeHoldings(mode))}" font-family="system-ui, sans-serif">`,
    `<defs>${marker('arrow', '#334155')}${marker('arrow-grey', '#64748b')}</defs>`,
    ...APP_NAMES.map((app) => serviceBox(definition, app)),
    ...APP_NAMES.filter((app) => app !== ISSUER_APP).map((app) => arrows(definition, app)),
    `<text x="16" y="${HEIGHT - 14}" font-size="16" fill="#475569">${escapeXml(
      `${mode}: ${definition.summary}. Filled key: can sign. Outlined: can only verify.`,
    )}</text>`,
    '</svg>',
  ].join('');
}
