import { EXERCISES, type Exercise } from './exercises';

/** One segment of the 90 minutes: an exercise, or time around them. */
export interface Segment {
  /** Markdown: its name (a link, for an exercise). */
  readonly name: string;
  readonly minutes: number;
  /** Markdown: what happens in it. */
  readonly what: string;
}

/** The length of the workshop; the segments add up to it (a test checks). */
export const WORKSHOP_MINUTES = 90;

/** The heading of an exercise: "Exercise N: ...", as the page writes it and the tests look for it. */
export function exerciseHeading(exercise: Exercise): string {
  return `Exercise ${EXERCISES.indexOf(exercise) + 1}: ${exercise.title}`;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

const exercise = (i: number): Segment => {
  const found = EXERCISES[i]!;
  return {
    name: `[${exerciseHeading(found)}](exercises.md#${anchorOf(exerciseHeading(found))})`,
    minutes: found.minutes,
    what: found.inTheRoom,
  };
};

/** The plan's timing, in order. */
export const SEGMENTS: readonly Segment[] = [
  {
    name: 'Welcome, and every machine checked',
    minutes: 10,
    what:
      'Everyone runs `npm run lab -- check` and fixes what says FAIL ([notes](#what-goes-wrong-in-a-room)); anyone without ' +
      'Linux pairs with a neighbour. The trainer starts `npm run workshop` and projects the console.',
  },
  {
    name: 'The blast radius, on the projector',
    minutes: 5,
    what:
      'The console in shared-hs256: Compromise mobile-api, and the Blast radius table fills with accepted admin tokens. The ' +
      'question of the session: what does one compromised app give away, and how do you make that less?',
  },
  exercise(0),
  exercise(1),
  exercise(2),
  { name: 'Break', minutes: 5, what: 'The npm start stack of exercise 3 keeps running: exercise 6 reads its logs.' },
  exercise(3),
  exercise(4),
  exercise(5),
  {
    name: 'Wrap-up',
    minutes: 5,
    what:
      'Which mode for which system, and what recovery costs in each: [choosing a mode](../choosing.md). Then everyone ' +
      '[resets](#resetting): the loot files hold real keys.',
  },
];

/** What each participant's machine needs, as Markdown list items; `engines` is package.json's `engines.node`. */
export function needsOf(engines: string): string[] {
  return [
    '**Linux**: `npm run lab -- loot` reads a process’s environment from `/proc/<pid>/environ`, as the lab compromises an ' +
      'app. A VM, a container with its own clone, or WSL 2 on Windows will do; macOS has no `/proc`.',
    `**Node.js ${engines.replace('>=', '')} or later** (package.json: \`"node": "${engines}"\`; Node 24 is what CI runs), with npm.`,
    '**curl**, and **bash or zsh**: the exercises keep tokens in shell variables (`TOKEN=$(...)`).',
    '**The clone, installed and built before the day**: `git clone`, `npm ci` (it needs the npm registry) and ' +
      '`npx turbo run build`. Every `npm run` command checks the build first, which takes a second or two once built.',
    '**Ports 3000, 3001 and 3002 free** on 127.0.0.1, for `npm start`.',
    '**A browser**, any, for the trainer’s console (`npm run workshop` on 127.0.0.1; its own tests drive Chromium).',
    '**Docker and docker-compose: optional.** No exercise needs them; they run the same stack in containers ' +
      '([In containers](../docker.md)).',
  ];
}

/** A problem a room runs into: what the participant sees, why, and what to do. */
export interface Trouble {
  readonly see: string;
  readonly why: string;
  readonly fix: string;
}

/** What goes wrong in a room, most common first. */
export const TROUBLES: readonly Trouble[] = [
  {
    see: '`FAIL  Node.js`, or `npm ci` warns of an unsupported engine',
    why: 'Node.js older than the workspace needs (on Node 20, npm also warns that `kubernetes-models`, which only the manifests’ tests use, wants 22: harmless)',
    fix: 'Install Node 24 (`nvm install 24`; 22 and 26 work too), then `rm -rf node_modules && npm ci`.',
  },
  {
    see: '`FAIL  Linux /proc`, or loot says it cannot read the process',
    why: 'macOS or Windows: no `/proc`',
    fix:
      'A Linux VM or WSL 2, with its own clone and `npm install` there (node_modules from another system will not run). ' +
      'Or pair with a neighbour, or follow on the console, which runs its own stack.',
  },
  {
    see: "`FAIL  npm start's ports`, or `start: 127.0.0.1:3000 (auth-service) is in use`",
    why: 'An npm start left running in another terminal, the compose stack, or another dev server',
    fix: 'Ctrl-C the other npm start; `docker-compose down` for the containers; `ss -ltnp` shows what else listens.',
  },
  {
    see: '`lab: no npm start stack is running: start one with npm start`',
    why: 'The second terminal’s npm start is not running, or stopped',
    fix: 'Start it with the exercise’s `--mode`, and loot again.',
  },
  {
    see: 'The loot shows another `AUTH_MODE` than the exercise’s',
    why: 'The previous exercise’s stack still runs',
    fix: 'Ctrl-C it, `npm start -- --mode <mode>`, then loot again: every start makes fresh keys, so old loot files and tokens are worthless.',
  },
  {
    see: 'curl answers 401 where the page shows 200, and the npm start terminal says `jwt expired`',
    why: 'A forged token lives 5 minutes (`--ttl` sets up to 900 seconds, the most the services accept)',
    fix: 'Forge again.',
  },
  {
    see: 'curl answers 400 Bad Request, and the npm start terminal shows nothing',
    why: '`npm run` without `-s` prints its own lines to stdout, into `$TOKEN`, and the header curl sends breaks',
    fix: 'Keep the `-s` of `npm run -s lab -- forge`, as written.',
  },
  {
    see: '`TOKEN=$(...)` is a syntax error, or `$KID` stays empty',
    why: 'fish, or another shell that is not POSIX-like',
    fix: 'Run `bash` for the exercises.',
  },
  {
    see: 'curl hangs, or answers 403 or 502 from a proxy',
    why: '`http_proxy` or `HTTPS_PROXY` set in the shell: curl sends even 127.0.0.1 through the corporate proxy',
    fix: '`export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost`.',
  },
  {
    see: '`npm install` fails or hangs',
    why: 'No way to the npm registry (a corporate proxy, the venue’s network)',
    fix: 'Install before the day. Behind a proxy: `npm config set proxy <url>` and `npm config set https-proxy <url>`.',
  },
  {
    see: '`skip  Docker (optional)`',
    why: 'No Docker engine, or no compose',
    fix: 'Nothing: no exercise uses containers. Skip [In containers](../docker.md).',
  },
  {
    see: '429 Too Many Requests, with `Retry-After`, from `/auth/login`',
    why:
      'The login limits: 5 a minute per username from one address, 20 a minute per address. A participant’s own stack sees ' +
      'only 127.0.0.1, so one person looping logins hits them; a stack shared by a room from one address (a NAT, a tunnel) ' +
      'hits them for everyone',
    fix: 'Wait the `Retry-After` seconds (at most a minute), or restart npm start: the counts are kept in memory. One stack per participant.',
  },
  {
    see: '`npm run detect` cannot read the logs, or flags nothing',
    why: 'npm start was started again after exercise 3, and empties `.logs/` at each start',
    fix: 'Start it in rs256-jwks, run exercise 3’s last three commands again, then detect.',
  },
  {
    see: 'The drill’s verdict says the load fell below 20 valid requests a second',
    why: 'A slow or busy laptop: the drill measures under load',
    fix: 'Close what else runs, and run it again; the console’s Run the recovery drill shows a run to the room.',
  },
  {
    see: 'A stack still running after the workshop',
    why: 'A terminal closed without Ctrl-C',
    fix: 'While it runs, `.logs/stack.json` holds its pids (npm start printed them too): `kill <pid>` for each.',
  },
];

/** How to reset a machine, and the console, as Markdown list items. */
export const RESET_STEPS: readonly string[] = [
  '**Ctrl-C** in the npm start terminal stops the three services and removes `.logs/stack.json`.',
  '`rm -f *.loot.json` deletes the loot files: they hold the keys of the stack they came from, whole (git ignores them; they stay on disk until deleted).',
  '`rm -rf .keys .logs` deletes every key and log npm start wrote (it makes fresh keys at each start anyway).',
  '`docker-compose down -v`, if anyone brought the compose stack up: it stops the containers and deletes their key volumes.',
  'On the projector, the console’s **Mode** select starts its stack again with fresh keys; Ctrl-C in its terminal stops it.',
];
