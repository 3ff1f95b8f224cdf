/* global document, EventSource, fetch, setTimeout */
// The workshop console's page: it renders the view the console streams (/api/events) and posts the trainer's
// clicks. Secret values are fetched only when "reveal" is clicked, and forgotten when the stack restarts.

const byId = (id) => document.getElementById(id);

/** The latest view from the console. */
let view;
/** A POST under way: every control waits for it. */
let posting = false;
/** The first version of the view that shows the work of the last POST. */
let waitFor = 0;
/** Secrets revealed, per app, for the stack of `revealedFor`. */
let revealed = new Map();
let revealedFor = -1;
let error = '';
/** What each part of the page was last drawn from, so that it is drawn again only when that changes. */
const drawn = new Map();

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'className') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function drawOnce(key, data, draw) {
  const signature = JSON.stringify(data);
  if (drawn.get(key) === signature) return;
  drawn.set(key, signature);
  draw();
}

function isBusy() {
  return posting || !view || view.busy !== undefined || view.version < waitFor;
}

async function post(path, body = {}) {
  posting = true;
  error = '';
  render();
  try {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) {
      showError(text.trim() || `${response.status}`);
      return undefined;
    }
    const answer = JSON.parse(text);
    if (typeof answer.version === 'number') waitFor = answer.version;
    return answer;
  } catch (failure) {
    showError(`The console did not answer: ${failure.message}`);
    return undefined;
  } finally {
    posting = false;
    render();
  }
}

/** Shows what went wrong in the status line for a few seconds. */
function showError(text) {
  error = text;
  setTimeout(() => {
    if (error === text) error = '';
    render();
  }, 6000);
}

/** Text that may break after each dot (a kid), for a narrow cell. */
function breakable(text) {
  return text.split(/(?<=\.)/).flatMap((part) => [part, element('wbr')]);
}

function outcomeOf(cell) {
  return `${cell.accepted ? 'accepted' : 'refused'} ${cell.status}`;
}

function matrixCell(cell, compromised, target, attack) {
  if (attack === 'replay' && compromised === target) {
    return element('td', { className: 'self', title: 'its own token at its own service: not a replay' }, '—');
  }
  if (!cell) return element('td', { className: 'empty' });
  if (cell.state === 'probing') return element('td', { className: 'probing', 'aria-busy': 'true' }, '…');
  const matches = cell.accepted === cell.expected;
  return element(
    'td',
    {
      className: `${cell.accepted ? 'accepted' : 'refused'}${matches ? '' : ' mismatch'}`,
      title: cell.via ? `via ${cell.via}` : undefined,
    },
    element('span', { className: 'outcome' }, outcomeOf(cell)),
    element('span', { className: 'verdict' }, matches ? '✓ as expected' : `✗ expected ${cell.expected ? 'accepted' : 'refused'}`),
    cell.accepted && cell.via && attack === 'forge' ? element('span', { className: 'via' }, breakable(cell.via)) : undefined,
  );
}

function drawMatrix(attack) {
  const table = byId(attack);
  const matrix = view.matrices[attack];
  drawOnce(attack, matrix, () => {
    for (const part of [...table.querySelectorAll('thead, tbody')]) part.remove();
    const head = element(
      'thead',
      {},
      element(
        'tr',
        {},
        element('th', { scope: 'col', className: 'corner' }, 'compromised ↓ target →'),
        view.apps.map((target) => element('th', { scope: 'col' }, target)),
      ),
    );
    const body = element(
      'tbody',
      {},
      view.apps.map((compromised) =>
        element(
          'tr',
          {},
          element('th', { scope: 'row' }, compromised),
          view.apps.map((target) => matrixCell(matrix[compromised][target], compromised, target, attack)),
        ),
      ),
    );
    table.append(head, body);
  });
}

function drawForgeSummary() {
  const parts = view.apps.flatMap((app) => {
    const cells = Object.values(view.matrices.forge[app]).filter((cell) => cell.state === 'answered');
    if (cells.length < view.apps.length) return [];
    return [`${app} ${cells.filter((cell) => cell.accepted).length}/${view.apps.length}`];
  });
  byId('forge-summary').textContent =
    parts.length > 0 ? `Services that accept the forged token: ${parts.join(' · ')}` : 'Click a "Compromise" button to fill a row.';
}

function drawPicture() {
  drawOnce('picture', view.picture, () => {
    byId('picture').innerHTML = view.picture;
  });
  for (const group of byId('picture').querySelectorAll('[data-app]')) {
    group.classList.toggle('compromised', view.loot[group.dataset.app] !== undefined);
  }
}

function secretLine(key, secrets) {
  const members = secrets?.keys.find((candidate) => candidate.kid === key.kid)?.members;
  if (members) {
    return members.map(([member, value]) =>
      element('div', { className: 'secret' }, element('span', { className: 'member' }, `${member}:`), element('code', {}, value)),
    );
  }
  return key.masked.map(({ member, length }) =>
    element(
      'div',
      { className: 'secret' },
      element('span', { className: 'member' }, `${member}:`),
      element('code', { className: 'masked' }, '••••••••••••'),
      element('span', { className: 'length' }, ` (${length} characters)`),
    ),
  );
}

function lootCard(app) {
  const loot = view.loot[app];
  if (!loot) {
    return element('article', { className: 'loot empty-loot' }, element('h3', {}, app), element('p', {}, 'Not compromised yet.'));
  }
  const secrets = revealed.get(app);
  const reveal = element('button', { type: 'button', className: 'reveal quiet', 'aria-pressed': secrets ? 'true' : 'false' }, 'reveal');
  reveal.addEventListener('click', () => toggleReveal(app));
  return element(
    'article',
    { className: 'loot' },
    element('h3', {}, app, element('span', { className: 'source' }, ` taken from ${loot.source}`)),
    element('h4', {}, 'Can sign'),
    loot.signing.length === 0
      ? element('p', { className: 'nothing' }, 'Nothing: it holds no secret or private key.')
      : element(
          'ul',
          { className: 'keys' },
          loot.signing.map((key) =>
            element(
              'li',
              {},
              element('code', { className: 'kid' }, key.kid),
              element('span', { className: 'kind' }, ` ${key.kind}`),
              element(
                'div',
                { className: 'signs' },
                `signs tokens for ${key.signsFor.length > 0 ? key.signsFor.join(', ') : 'no audience'}`,
              ),
              secretLine(key, secrets),
            ),
          ),
        ),
    loot.signing.length > 0 ? reveal : undefined,
    element('h4', {}, 'Environment'),
    element(
      'dl',
      { className: 'env' },
      loot.env.map(([name, value]) => [element('dt', {}, name), element('dd', {}, value)]),
    ),
    element('h4', {}, 'Key files'),
    loot.files.length === 0
      ? element('p', { className: 'nothing' }, 'none')
      : element(
          'ul',
          { className: 'files' },
          loot.files.map((file) => element('li', {}, element('code', {}, file))),
        ),
  );
}

async function toggleReveal(app) {
  if (revealed.has(app)) {
    revealed.delete(app);
    render();
    return;
  }
  const secrets = await post('/api/reveal', { app });
  if (secrets) revealed.set(app, secrets);
  render();
}

function drawLoot() {
  if (view.stack.generation !== revealedFor) {
    revealed = new Map();
    revealedFor = view.stack.generation;
  }
  for (const app of revealed.keys()) if (!view.loot[app]) revealed.delete(app);
  drawOnce('loot', [view.loot, [...revealed]], () => {
    byId('loot').replaceChildren(...view.apps.map(lootCard));
  });
}

function lines(items, label) {
  return element(
    'ol',
    { className: 'lines', 'aria-label': label },
    items.map((line) => element('li', {}, line)),
  );
}

function outcomeClass(label) {
  if (label.startsWith('accepted')) return 'accepted';
  if (label.startsWith('refused')) return 'refused';
  return 'other';
}

function drawCatalogue() {
  const catalogue = view.catalogue;
  drawOnce('catalogue', catalogue ?? null, () => {
    const out = [];
    if (catalogue) {
      const title = `${catalogue.mode}${catalogue.insecure ? ', audience check skipped' : ''}`;
      if (catalogue.state === 'running') out.push(element('p', { className: 'running' }, `Running in ${title}…`));
      if (catalogue.state === 'failed') out.push(element('p', { className: 'failed' }, `The catalogue failed: ${catalogue.error}`));
      if (catalogue.state !== 'done') out.push(lines(catalogue.lines, 'Catalogue progress'));
      const result = catalogue.result;
      if (result) {
        out.push(element('p', { className: result.failures === 0 ? 'passed' : 'failed' }, result.verdict));
        for (const check of result.checks) out.push(element('p', { className: 'check' }, `After the run: ${check}.`));
        out.push(
          element(
            'table',
            { className: 'catalogue', 'aria-label': 'Attack catalogue' },
            element('caption', {}, `Attack catalogue: ${title}`),
            element(
              'thead',
              {},
              element(
                'tr',
                {},
                ['attack', 'what it tries', 'expected', ...view.apps].map((name) => element('th', { scope: 'col' }, name)),
              ),
            ),
            result.groups.map((group) =>
              element(
                'tbody',
                {},
                element(
                  'tr',
                  { className: 'group' },
                  element('th', { scope: 'colgroup', colspan: String(3 + view.apps.length) }, group.title),
                ),
                group.rows.map((row) =>
                  element(
                    'tr',
                    { className: row.verdict },
                    element('th', { scope: 'row' }, row.title),
                    element('td', { className: 'tries' }, row.tries),
                    element('td', { className: 'expected' }, row.expected),
                    view.apps.map((app) =>
                      element(
                        'td',
                        { className: `${outcomeClass(row.got[app].label)}${row.got[app].wrong ? ' mismatch' : ''}` },
                        row.got[app].wrong ? `${row.got[app].label} ✗` : row.got[app].label,
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
        );
      }
    }
    byId('catalogue').replaceChildren(...out);
  });
}

function drawDrill() {
  const drill = view.drill;
  drawOnce('drill', drill ?? null, () => {
    const out = [];
    if (drill) {
      const title = `${drill.mode}, ${drill.compromised} compromised`;
      if (drill.state === 'running') out.push(element('p', { className: 'running' }, `Running: ${title}…`));
      if (drill.state === 'failed') out.push(element('p', { className: 'failed' }, `The drill failed: ${drill.error}`));
      out.push(lines(drill.lines, 'Drill progress'));
      const result = drill.result;
      if (result) {
        out.push(element('p', { className: result.failures.length === 0 ? 'passed' : 'failed' }, result.verdict));
        if (result.failures.length > 0) out.push(lines(result.failures, 'What differs'));
        out.push(
          element(
            'table',
            { className: 'drill', 'aria-label': 'Recovery drill' },
            element('caption', {}, `Recovery drill: ${title}`),
            element(
              'tbody',
              {},
              result.rows.map(([name, value]) => element('tr', {}, element('th', { scope: 'row' }, name), element('td', {}, value))),
            ),
          ),
        );
      }
    }
    byId('drill').replaceChildren(...out);
  });
}

function drawStatus() {
  const status = byId('status');
  const last = view.progress.at(-1);
  let text;
  let state;
  if (error) {
    text = error;
    state = 'error';
  } else if (view.busy !== undefined) {
    text = `${view.busy[0].toUpperCase()}${view.busy.slice(1)}… ${last ? `(${last})` : ''}`;
    state = 'busy';
  } else if (view.stack.state === 'running') {
    text = `${view.mode} is running, ${view.insecure ? 'the audience check SKIPPED' : 'every service checks the audience'}.`;
    state = 'ready';
  } else if (view.stack.state === 'failed') {
    text = `The stack did not start: ${view.stack.error}`;
    state = 'error';
  } else {
    text = `The stack is ${view.stack.state}.`;
    state = 'busy';
  }
  status.textContent = text;
  status.dataset.state = state;
}

function drawControls() {
  const busy = isBusy();
  const mode = byId('mode');
  if (mode.options.length === 0) {
    for (const { name, summary } of view.modes) mode.append(element('option', { value: name, title: summary }, name));
  }
  const insecure = byId('insecure');
  // While a click is being posted, and until the view has caught up with the answer (its event can arrive after
  // the answer does), the controls keep what was clicked: a stale view must not undo the click.
  if (!posting && view.version >= waitFor) {
    mode.value = view.mode;
    insecure.checked = view.insecure;
  }
  mode.disabled = busy;
  insecure.disabled = busy;
  byId('restart').disabled = busy;
  byId('misconfigured').hidden = !view.insecure;
  byId('mode-summary').textContent = `${view.mode}: ${view.modes.find((candidate) => candidate.name === view.mode)?.summary ?? ''}.`;

  const buttons = byId('compromise');
  if (buttons.children.length === 0) {
    for (const app of view.apps) {
      const button = element('button', { type: 'button', className: 'compromise', 'data-app': app }, `Compromise ${app}`);
      button.addEventListener('click', () => post('/api/compromise', { app }));
      buttons.append(button);
    }
  }
  for (const button of buttons.children) button.disabled = busy || view.stack.state !== 'running';

  const drillApp = byId('drill-app');
  if (drillApp.options.length === 0) {
    for (const app of view.apps) drillApp.append(element('option', { value: app }, app));
  }
  drillApp.disabled = busy;
  byId('run-drill').disabled = busy;
  byId('run-catalogue').disabled = busy;
  document.body.dataset.busy = String(busy);
}

function render() {
  if (!view) return;
  drawControls();
  drawStatus();
  drawPicture();
  drawMatrix('forge');
  drawMatrix('replay');
  drawForgeSummary();
  drawLoot();
  drawOnce('progress', view.progress, () => {
    byId('progress').replaceChildren(...view.progress.slice(-6).map((line) => element('li', {}, line)));
  });
  drawCatalogue();
  drawDrill();
}

function restart(mode, insecure) {
  return post('/api/stack', { mode, insecure });
}

byId('mode').addEventListener('change', (event) => restart(event.target.value, byId('insecure').checked));
byId('insecure').addEventListener('change', (event) => restart(byId('mode').value, event.target.checked));
byId('restart').addEventListener('click', () => restart(byId('mode').value, byId('insecure').checked));
byId('run-catalogue').addEventListener('click', () => post('/api/catalogue'));
byId('run-drill').addEventListener('click', () => post('/api/drill', { app: byId('drill-app').value }));

const events = new EventSource('/api/events');
events.addEventListener('state', (event) => {
  view = JSON.parse(event.data);
  render();
});
events.addEventListener('error', () => {
  if (events.readyState !== EventSource.CLOSED) {
    byId('status').textContent = 'Lost the console: reconnecting…';
    byId('status').dataset.state = 'error';
  }
});
