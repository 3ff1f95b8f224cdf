import type { AppName, ModeName } from '@jwt-blast-radius/keys';
import { COMPOSE_URLS } from '@jwt-blast-radius/stack';
import { curlLine } from '../../hand/forge';
import { ROUTES } from '../../targets';

/** The npm scripts an exercise runs that start their own stack, or read the logs of the last one. */
export type NpmScript = 'demo' | 'attacks' | 'drill' | 'detect';

/**
 * One command a participant pastes. Each kind says what it shows and what the generator runs for it; the
 * outcome it must have comes from the lab's expected matrix where there is one, so the page can never claim
 * an answer the stack does not give.
 */
export type Step =
  /** `npm run lab -- loot --app <app> --out <app>.loot.json`: what the app's process holds. */
  | { readonly kind: 'loot'; readonly app: AppName }
  /**
   * `TOKEN=$(npm run -s lab -- forge --with <with>.loot.json ...)`: an admin token for `aud`, signed with the kid kept in
   * `$KID` when `kid` is set; `refused` when the loot holds nothing that signs (the tool refuses, exit status 2).
   */
  | { readonly kind: 'forge'; readonly with: AppName; readonly aud: AppName; readonly kid?: true; readonly refused?: true }
  /** `KID=$(grep ...)`: the kid of `of`'s key, out of the loot file of `from`. */
  | { readonly kind: 'kid'; readonly from: AppName; readonly of: AppName }
  /** The curl line forge prints: `$TOKEN` at the target's admin route; 200 or 401 as the expected matrix says. */
  | { readonly kind: 'call'; readonly target: AppName }
  /** `npm run lab -- decode "$TOKEN"`. */
  | { readonly kind: 'decode' }
  /**
   * `npm run <script> -- <args>`, with the exit status it must end with. `shows`: its whole output, or only its standard
   * output (its progress lines on stderr left out). `excerpt`: the attack catalogue's rows shown, by name.
   */
  | {
      readonly kind: 'npm';
      readonly script: NpmScript;
      readonly args: readonly string[];
      readonly status: number;
      readonly shows: 'all' | 'stdout';
      readonly excerpt?: readonly string[];
    };

/** One exercise of the workshop: what the trainer says, what everyone pastes, and the question for the room. */
export interface Exercise {
  readonly title: string;
  /** The minutes the plan gives it, talk included. */
  readonly minutes: number;
  /** Markdown, one or two sentences: what happens in the room, for the plan's timing table (the console included). */
  readonly inTheRoom: string;
  /** The mode of the `npm start` stack its commands act on, started in a second terminal; none when they start their own. */
  readonly stack?: ModeName;
  /** Markdown: what is going on, before the commands. */
  readonly intro: string;
  readonly steps: readonly Step[];
  /** Markdown: what to point at in the output. */
  readonly notice: string;
  readonly question: string;
  readonly answer: string;
}

const FORGE = 'npm run -s lab -- forge';
const ADMIN = '--sub admin --roles admin';

/**
 * The command line a participant pastes for a step, as the tools themselves spell it (forge prints the very curl
 * line of a `call` step).
 *
 * @example
 * commandOf({ kind: 'loot', app: 'mobile-api' }); // 'npm run lab -- loot --app mobile-api --out mobile-api.loot.json'
 */
export function commandOf(step: Step): string {
  switch (step.kind) {
    case 'loot':
      return `npm run lab -- loot --app ${step.app} --out ${lootFileOf(step.app)}`;
    case 'forge':
      return `TOKEN=$(${FORGE} --with ${lootFileOf(step.with)} ${ADMIN} --aud ${step.aud}${step.kid ? ' --kid "$KID"' : ''})`;
    case 'kid':
      return `KID=$(grep -oE '${kidPattern(step.of)}' ${lootFileOf(step.from)} | head -n1)`;
    case 'call':
      return curlLine(`${COMPOSE_URLS[step.target]}${ROUTES[step.target].admin}`);
    case 'decode':
      return 'npm run lab -- decode "$TOKEN"';
    case 'npm':
      return `npm run ${step.script}${step.args.length > 0 ? ` -- ${step.args.join(' ')}` : ''}`;
  }
}

/** The loot file a participant writes for an app, in the clone's folder. */
export function lootFileOf(app: AppName): string {
  return `${app}.loot.json`;
}

/** The kids of an app's key as the keys package writes them: `<app>.<8 hex digits>`, as an extended regular expression. */
export function kidPattern(app: AppName): string {
  return `${app}\\.[0-9a-f]{8}`;
}

/** The rows of the attack catalogue exercise 5 shows, by the name the catalogue prints. */
const CATALOGUE_ROWS = [
  'Valid issued token',
  'alg "none"',
  'Empty signature',
  'HS256 with the published key as PEM',
  'HS256 with the published key as JWK',
  "The attacker's key, trusted kid",
  'A retired key',
  'jku to the attacker JWKS',
  'Embedded jwk (CVE-2018-0114)',
  'exp past',
  'aud another app',
];

/** The six exercises, in the order the plan runs them. Adding one is one entry: the run, the pages and the tests read this. */
export const EXERCISES: readonly Exercise[] = [
  {
    title: 'One secret, held by every app',
    minutes: 12,
    inTheRoom:
      'Everyone does by hand what the console just did: loot mobile-api, forge an admin token for dashboard-api, 200. The ' +
      'trainer walks through the loot on the projector.',
    stack: 'shared-hs256',
    intro:
      'In shared-hs256 the auth service, dashboard-api and mobile-api hold the same HS256 secret: the auth service signs ' +
      'tokens with it, the APIs check them with it. You are an attacker who got into mobile-api, the least important app. ' +
      '`loot` takes what its process holds, exactly as the lab compromises an app: its environment, read from ' +
      '`/proc/<pid>/environ`, followed to its key files. `forge` signs a token with it; `decode` shows what the token says.',
    steps: [
      { kind: 'loot', app: 'mobile-api' },
      { kind: 'forge', with: 'mobile-api', aud: 'dashboard-api' },
      { kind: 'call', target: 'dashboard-api' },
      { kind: 'decode' },
    ],
    notice:
      'dashboard-api answered 200 to an admin token nobody issued. The token carries the real issuer, the real kid, the audience ' +
      'dashboard-api and a fresh `jti`: every claim is one the attacker chose, and nothing in it looks wrong.',
    question:
      'mobile-api never signs a token. Why does what it holds make you an admin of dashboard-api, and what could dashboard-api ' +
      'have checked to tell the token apart from a real one?',
    answer:
      'With HS256 the key that checks a signature is the key that makes one: every app that can verify tokens can also mint ' +
      'them. dashboard-api ran every check, the audience included: the forged token is for dashboard-api, because the attacker ' +
      'wrote `aud: dashboard-api`. Nothing in a token says which holder of the secret signed it, so nothing on dashboard-api ' +
      'can tell. The blast radius of any one app is every service: 3/3 in the demo’s matrix, whichever app falls.',
  },
  {
    title: 'One key per app',
    minutes: 12,
    inTheRoom:
      'Everyone restarts npm start in per-app-secret and forges again. After the answer, the console in per-app-secret: ' +
      'Compromise each app; in the Blast radius table the auth service’s row is accepted everywhere, each API’s only at itself.',
    stack: 'per-app-secret',
    intro:
      'In per-app-secret each API has its own secret, and the auth service holds all three, since it signs the tokens of ' +
      'every audience. The stack starts with fresh keys, so the loot of exercise 1 is worth nothing now: loot again. The same ' +
      'forgery first, then one for mobile-api itself, then the auth service’s loot.',
    steps: [
      { kind: 'loot', app: 'mobile-api' },
      { kind: 'forge', with: 'mobile-api', aud: 'dashboard-api' },
      { kind: 'call', target: 'dashboard-api' },
      { kind: 'forge', with: 'mobile-api', aud: 'mobile-api' },
      { kind: 'call', target: 'mobile-api' },
      { kind: 'loot', app: 'auth-service' },
      { kind: 'kid', from: 'auth-service', of: 'dashboard-api' },
      { kind: 'forge', with: 'auth-service', aud: 'dashboard-api', kid: true },
      { kind: 'call', target: 'dashboard-api' },
    ],
    notice:
      'The same forgery is now refused with the bare 401 every bad token gets; the reason is in dashboard-api’s log only, ' +
      'which the npm start terminal shows. mobile-api’s own admin route still opens. The auth service holds three keys that ' +
      'sign, so forge needs `--kid`: the `grep` takes dashboard-api’s out of the loot file.',
    question: 'What did one key per app buy, what did it not, and which app is now the one to protect?',
    answer:
      'A compromised API now reaches only itself (1/3): its secret signs tokens for its own audience alone. That is still ' +
      'something: mobile-api’s secret makes you an admin of mobile-api, beyond what its process could do. The auth service ' +
      'must sign for every audience, so it holds every secret, and its loot opens all three services (3/3). The blast radius ' +
      'of an API shrank to itself; the issuer’s stayed everything.',
  },
  {
    title: 'Only the issuer signs',
    minutes: 12,
    inTheRoom:
      'npm start in rs256-jwks; an API’s loot signs nothing, the issuer’s signs everything. The console in rs256-jwks: ' +
      'the auth service’s row accepted everywhere, each API’s refused everywhere.',
    stack: 'rs256-jwks',
    intro:
      'In rs256-jwks (npm start’s default) the auth service signs with an RSA private key and publishes the public key at ' +
      '`/.well-known/jwks.json`; the APIs fetch it there and hold nothing secret. Loot an API and try to forge with it, then ' +
      'loot the auth service. Keep this stack running (or stopped, but not restarted): exercise 6 reads its logs.',
    steps: [
      { kind: 'loot', app: 'dashboard-api' },
      { kind: 'forge', with: 'dashboard-api', aud: 'dashboard-api', refused: true },
      { kind: 'loot', app: 'auth-service' },
      { kind: 'forge', with: 'auth-service', aud: 'mobile-api' },
      { kind: 'call', target: 'mobile-api' },
    ],
    notice:
      'dashboard-api’s key folder is empty: its loot is a URL and settings, and `forge` refuses it (exit status 2). The ' +
      'auth service’s loot is one RSA private key, and mobile-api accepts what it signs.',
    question:
      'Compromising an API gave the attacker nothing to sign with. Where does your security effort go now, and is anything ' +
      'left to take from an API?',
    answer:
      'A compromised API reaches no other service, nor its own admin route (0/3): what it holds is public. The issuer’s ' +
      'private key is the one crown jewel: whoever takes it forges for every service (3/3), as you just did. So the effort ' +
      'goes there: a small issuer, its key where a process cannot read it (a KMS or HSM signs without handing the key out), ' +
      'and a rehearsed playbook to replace it (exercise 6). An API still sees the real tokens its users send it, and can ' +
      'replay them: only the audience check stops that (exercise 4).',
  },
  {
    title: 'The audience check switched off',
    minutes: 8,
    inTheRoom:
      'Everyone runs the demo with the audience check off. On the console, tick Skip the audience check and compromise an ' +
      'API: the Replay table fills in shared-hs256 and rs256-jwks.',
    intro:
      'Every service checks that a token’s `aud` names it (RFC 9068 §4). A common misconfiguration skips that check. ' +
      '`--insecure no-audience-check` starts every service with `INSECURE_SKIP_AUDIENCE_CHECK=true` (each logs a loud warning), ' +
      'compromises each app in each mode, and replays the token alice got for the compromised app at every other service. ' +
      'It runs its own stacks on free ports, so the npm start stack can keep running.',
    steps: [{ kind: 'npm', script: 'demo', args: ['--insecure', 'no-audience-check'], status: 0, shows: 'stdout' }],
    notice:
      'Compare the Replay tables with the [README’s secure run](../../README.md), where every replay is refused. The Forge ' +
      'tables are the same in both runs.',
    question:
      'With the audience check off, alice’s token for one API opens the others in shared-hs256 and rs256-jwks, but not in ' +
      'per-app-secret. Why? And why did the Forge tables not change?',
    answer:
      'In per-app-secret each audience has its own key: a token for mobile-api is signed with mobile-api’s secret, which ' +
      'dashboard-api does not hold, so the signature check refuses it; the key does the audience check. In shared-hs256 and ' +
      'rs256-jwks one key signs the tokens of every audience, so `aud` is all that keeps them apart: skip its check and a token ' +
      'for any service is a token for all, and an attacker in an API needs no key, only the tokens its users send it. A ' +
      'forger never needed the replay: it writes whatever `aud` the target wants. With one issuer key, the usual design, the ' +
      'audience check is what keeps a compromised API from replaying its users’ tokens.',
  },
  {
    title: 'The classic attacks against RS256',
    minutes: 8,
    inTheRoom:
      'Everyone runs the catalogue in rs256-jwks. The console in rs256-jwks: Run the attack catalogue shows the same rows to ' +
      'the room.',
    intro:
      '`npm run attacks` sends every classic JWT attack in its catalogue to every service, through real HTTP, and prints what ' +
      'each service answered against what it must answer. Here in rs256-jwks only, on its own stack. The output is long: the ' +
      'page shows a few of its rows, and its last lines.',
    steps: [{ kind: 'npm', script: 'attacks', args: ['--mode', 'rs256-jwks'], status: 0, shows: 'stdout', excerpt: CATALOGUE_ROWS }],
    notice:
      'Every row is refused but the controls. `jku` pointed at a JWKS the command serves itself: the attacker’s server was ' +
      'fetched 0 times. The last column is each row’s milliseconds.',
    question:
      '“HS256 with the published key” signs with HMAC, using the issuer’s public key, which anyone can fetch, as the ' +
      'secret. Against what kind of verifier would that work, and what refuses it here?',
    answer:
      'Algorithm confusion: a verifier that takes the algorithm from the token’s own header and gives it “the key” checks an ' +
      'HMAC with the public key’s text as the secret, which the attacker has as well. Here each service accepts the one ' +
      'algorithm of its mode (RS256 in rs256-jwks) and refuses any other header before it looks up a key; `alg: none` goes ' +
      'the same way. A key the token brings along (`jwk`, `jku`, `x5u`, `x5c`) is never trusted. And a good signature is not ' +
      'enough: rows signed with the trusted key are refused for a wrong `exp`, `iss`, `aud` or `typ`.',
  },
  {
    title: 'Who noticed, and shutting the attacker out',
    minutes: 13,
    inTheRoom:
      'Everyone runs `npm run detect` on their own logs, then the drill. The console in per-app-secret, dashboard-api as the ' +
      'compromised app: Run the recovery drill shows it to the room while the answer is discussed.',
    intro:
      'First the logs of your npm start stack from exercise 3: `npm run detect` checks every request a service accepted ' +
      'against the tokens the auth service logged as issued. Then the recovery drill, on its own stack: per-app-secret with ' +
      'dashboard-api compromised, three users calling every service, an attacker forging and replaying, the detection, and the ' +
      'playbook (stage, promote, retire a new key) with every service reloading and none restarting.',
    steps: [
      { kind: 'npm', script: 'detect', args: [], status: 1, shows: 'all' },
      { kind: 'npm', script: 'drill', args: ['--mode', 'per-app-secret', '--compromised', 'dashboard-api'], status: 0, shows: 'all' },
    ],
    notice:
      '`detect` exits with status 1: it flagged the admin request of exercise 3. The drill’s first table is what recovery ' +
      'changed; its second, what it cost (the figures vary from run to run).',
    question:
      'The token you forged in exercise 3 carried a valid signature from the issuer’s own key: how did `detect` know? And ' +
      'why did the drill change two key files, but send only dashboard-api’s users back to log in?',
    answer:
      'Only the auth service’s log vouches for a token: it logs the `jti` of every token it signs. The forgery’s `jti` was ' +
      "never issued (flagged `jti not in the issuer's log †` here, since the log began less than 15 minutes earlier), so a " +
      'good signature with an unknown `jti` is a forgery, whoever’s key made it. A compromised API can write its own log, not ' +
      'the issuer’s. In per-app-secret dashboard-api’s secret lives in two places: dashboard-api, which checks with it, and ' +
      'the auth service, which signs with it; both files change. Tokens signed with the old version are refused once it is ' +
      'retired, so dashboard-api’s users log in again. mobile-api’s key never left mobile-api and the auth service, and its ' +
      'users notice nothing.',
  },
];
