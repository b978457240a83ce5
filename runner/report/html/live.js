// Stampede's live page: the HTML report of a running test, served by the runner on its --listen
// port (`stampede ui`, `stampede run --ui`, `stampede agent`) and redrawn from Server-Sent Events.
//
// The runner embeds a configuration (the `stampede-live` element: mode, whether the controls and
// a token apply, the load model, the form's defaults and the URLs) and sends `update` events,
// each a complete state {state, status, result, display}; report.js draws the result and its
// display exactly as in a report file. This script adds the bar above it: state, elapsed time,
// the current load, a connection indicator, downloads, and the controls (start, change the
// load, stop) through the control API. Nothing here may throw out of an event handler: every
// failure is shown in the page. window.stampedeLive exposes the state for the browser tests.
(function () {
  'use strict';

  const report = window.stampedeReport;
  const {el, fmtSeconds, fmtElapsed, fmtCount, fmtNumber, fmtPercent} = report.util;

  const kTokenKey = 'stampede-control-token';
  const kStaleMs = 5000;  // a running test updates every second: this long without one is news
  const kReconnectMs = 2000;
  const kStateText = {waiting: 'waiting for start', scheduled: 'scheduled', running: 'running',
    stopping: 'stopping', finished: 'finished'};

  const live = {config: null, ready: false, connection: 'connecting', state: null, updates: 0,
    last: null, drawn: null, message: null, errors: []};
  window.stampedeLive = live;
  // The charts as drawn, and the update they were drawn from (live.drawn), read in one go.
  live.chartData = () => report.chartData();

  const ui = {};
  let source = null;
  let lastUpdateAt = 0;
  let busy = false;
  let started = false;  // Start was accepted: no second one while the first update is due
  let newTest = false;  // `stampede ui`, a test over: New test shows the form for the next one

  // ---- messages ----------------------------------------------------------------------------

  function show(kind, text) {
    live.message = {kind: kind, text: text};
    if (kind === 'error') live.errors.push(text);
    if (!ui.message) return;
    ui.message.className = 'live-message ' + kind;
    ui.message.textContent = text;
  }

  function describe(error) {
    return error && error.message ? error.message : String(error);
  }

  // ---- the control token -------------------------------------------------------------------

  // sessionStorage: the token lasts as long as the tab and never reaches the disk. A browser
  // that refuses storage (a file:// page, a strict privacy setting) just asks again.
  function storedToken() {
    try { return sessionStorage.getItem(kTokenKey) || ''; } catch (e) { return ''; }
  }

  function storeToken(token) {
    try { sessionStorage.setItem(kTokenKey, token); } catch (e) { /* kept in the field only */ }
  }

  function token() {
    return ui.token ? ui.token.value.trim() : '';
  }

  // ---- the control API ---------------------------------------------------------------------

  // POSTs `body` to the control API; resolves on success, rejects with a message for the page.
  async function post(path, body) {
    const headers = {'Content-Type': 'application/json'};
    if (token()) headers.Authorization = 'Bearer ' + token();
    let response;
    try {
      response = await fetch(path, {method: 'POST', headers: headers, body: JSON.stringify(body), cache: 'no-store'});
    } catch (e) {
      throw new Error(`The runner could not be reached (${describe(e)}).`);
    }
    if (response.ok) return;
    let detail = '';
    try {
      const doc = await response.json();
      if (doc && typeof doc.error === 'string') detail = doc.error;
    } catch (e) { /* no JSON body: the status says enough */ }
    if (response.status === 401) {
      throw new Error(token()
        ? 'Not allowed (401): the runner refused this control token. Enter the token the runner was given.'
        : 'Not allowed (401): this runner needs its control token. Enter it in the Control token field.');
    }
    throw new Error(`The runner refused ${path} (${response.status})${detail ? ': ' + detail : '.'}`);
  }

  // The load the form asks for, as /v1/load's body; throws a message when a field is wrong.
  function formLoad() {
    const number = (input, what, integer) => {
      const text = input.value.trim();
      const value = Number(text);
      if (text === '' || !isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
        throw new Error(`${what} must be ${integer ? 'a whole number' : 'a number'} of 0 or more.`);
      }
      return value;
    };
    if (live.config.model === 'open') return {rate: number(ui.rate, 'The arrival rate', false)};
    const load = {users: number(ui.users, 'Users', true)};
    // An empty spawn rate keeps the plan's; 0 starts (or stops) the users at once.
    if (ui.spawnRate.value.trim() !== '') load.spawnRate = number(ui.spawnRate, 'The spawn rate', false);
    return load;
  }

  function loadText(load) {
    if (load.rate !== undefined) return `${fmtNumber(load.rate, 3)} iterations/s`;
    const users = `${fmtCount(load.users)} users`;
    if (load.spawnRate === undefined) return users;
    return load.spawnRate > 0 ? `${users} at ${fmtNumber(load.spawnRate, 3)} users/s` : `${users} at once`;
  }

  // One control action at a time; the buttons are disabled meanwhile.
  async function act(what) {
    if (busy) return;
    busy = true;
    renderControls();
    try {
      await what();
    } catch (e) {
      show('error', describe(e));
    } finally {
      busy = false;
      renderControls();
    }
  }

  function start() {
    return act(async () => {
      const load = formLoad();
      show('info', 'Starting…');
      await post('/v1/load', load);
      await post('/v1/start', {});
      started = true;
      show('ok', `Started: ${loadText(load)}.`);
    });
  }

  function changeLoad() {
    return act(async () => {
      const load = formLoad();
      await post('/v1/load', load);
      show('ok', `Load changed to ${loadText(load)}.`);
    });
  }

  // Locust's New test: the finished result stays on the page until the next test's first update.
  function openNewTest() {
    newTest = true;
    show('info', 'Set the load and press Start for a new test; the result below is the last one.');
    renderControls();
  }

  function stop() {
    return act(async () => {
      await post('/v1/stop', {});
      show('ok', 'Stopping: running iterations finish within the graceful stop.');
    });
  }

  // ---- the bar -----------------------------------------------------------------------------

  function stat(id, label) {
    const value = el('span', {class: 'value', id: id}, '–');
    ui[id] = value;
    return el('div', {class: 'live-stat'}, el('span', {class: 'label'}, label), value);
  }

  function field(id, label, value, attrs) {
    const input = el('input', Object.assign({id: id, name: id, type: 'number', min: '0', inputmode: 'decimal'}, attrs || {}));
    input.value = value === undefined || value === null ? '' : String(value);
    return [input, el('label', {for: id}, label, input)];
  }

  function buildForm(config) {
    const defaults = config.defaults || {};
    const parts = [];
    if (config.token_required) {
      ui.token = el('input', {id: 'live-token', type: 'password', autocomplete: 'off', spellcheck: 'false'});
      ui.token.value = storedToken();
      ui.token.addEventListener('input', () => storeToken(token()));
      parts.push(el('label', {for: 'live-token', class: 'token'}, 'Control token', ui.token));
    }
    if (config.model === 'open') {
      const [rate, label] = field('live-rate', 'Arrival rate (iterations/s)', defaults.rate, {step: 'any'});
      ui.rate = rate;
      parts.push(label);
    } else {
      const [users, usersLabel] = field('live-users', 'Users (peak concurrency)', defaults.users, {step: '1'});
      const [spawn, spawnLabel] = field('live-spawn-rate', 'Spawn rate (users/s, 0: at once)', defaults.spawn_rate, {step: 'any'});
      ui.users = users;
      ui.spawnRate = spawn;
      parts.push(usersLabel, spawnLabel);
    }
    ui.start = el('button', {id: 'live-start', type: 'submit'}, 'Start');
    ui.apply = el('button', {id: 'live-apply', type: 'submit'}, 'Change load');
    ui.stop = el('button', {id: 'live-stop', type: 'button', class: 'stop'}, 'Stop');
    ui.stop.addEventListener('click', () => stop());
    ui.form = el('form', {id: 'live-form', class: 'live-form', novalidate: ''}, parts, ui.start, ui.apply, ui.stop);
    // Enter in a field submits too: whichever of Start and Change load is showing.
    ui.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!ui.start.hidden) start(); else changeLoad();
    });
    return ui.form;
  }

  function build(config) {
    ui.state = el('span', {id: 'live-state', class: 'live-state'}, 'connecting');
    ui.connection = el('span', {id: 'live-connection', class: 'live-connection connecting'}, 'connecting…');
    const model = config.model === 'open' ? 'Arrival rate' : 'Users';
    // Shown from the start, usable once there is a result to download (the runner has none
    // before the start).
    const link = (id, text) => el('a', {id: id, class: 'unavailable', title: 'available once the test has started'}, text);
    ui.links = [[link('live-report-link', 'Download report (HTML)'), config.report],
      [link('live-csv-link', 'Download statistics (CSV)'), config.csv]];
    const links = el('div', {class: 'live-links'}, ui.links.map(([a]) => a));
    const top = el('div', {class: 'live-top'}, el('span', {class: 'live-title'}, config.plan || 'Stampede'),
      ui.state, ui.connection, links);
    if (config.controls && config.mode === 'ui') {
      ui.newTest = el('button', {id: 'live-new-test', type: 'button', class: 'live-new-test', hidden: ''}, 'New test');
      ui.newTest.addEventListener('click', () => openNewTest());
      top.appendChild(ui.newTest);
    }
    const stats = el('div', {class: 'live-stats'}, stat('live-elapsed', 'Elapsed / planned'), stat('live-load', model),
      stat('live-rps', 'Requests/s'), stat('live-requests', 'Requests'), stat('live-failures', 'Failures'),
      stat('live-p95', 'p95'));
    ui.message = el('p', {id: 'live-message', class: 'live-message', role: 'status', 'aria-live': 'polite'});
    const controls = config.controls
      ? buildForm(config)
      : el('p', {class: 'note'}, 'Read-only: this runner is started and stopped by its operator.');
    const bar = el('section', {id: 'live', class: 'live-bar'}, top, stats, controls, ui.message);
    const main = document.getElementById('report');
    main.insertBefore(bar, main.firstChild);
    if (live.message) show(live.message.kind, live.message.text);
  }

  // ---- drawing an update -------------------------------------------------------------------

  function renderStatus(update) {
    const s = update.status || {};
    const state = update.state || s.state || 'waiting';
    ui.state.textContent = kStateText[state] || state;
    ui.state.className = 'live-state ' + state;
    const elapsed = typeof s.elapsed_seconds === 'number' ? s.elapsed_seconds : 0;
    const planned = s.planned_seconds;
    ui['live-elapsed'].textContent = fmtElapsed(elapsed) + (typeof planned === 'number' && planned > 0 ? ' / ' + fmtElapsed(planned) : '');
    ui['live-load'].textContent = live.config.model === 'open'
      ? (typeof s.target_rate === 'number' ? fmtNumber(s.target_rate, 2) + '/s' : '–')
      : fmtCount(s.users);
    ui['live-rps'].textContent = fmtNumber(s.rps, 1);
    // The counts as the report below has them: the result's, once there is one.
    const r = update.result;
    const requests = r && r.totals ? r.totals.requests : s.requests;
    const failures = r && r.totals ? r.totals.failures : s.failures;
    const latency = r ? r.latency_seconds : s.latency_seconds;
    ui['live-requests'].textContent = fmtCount(requests);
    const share = requests ? ` (${fmtPercent(failures / requests)})` : '';
    ui['live-failures'].textContent = failures === undefined ? '–' : fmtCount(failures) + share;
    ui['live-p95'].textContent = fmtSeconds(latency ? latency.p95 : null);
    if (state === 'scheduled' && s.start_at) ui.state.textContent = 'scheduled for ' + s.start_at;
  }

  // Which controls apply in the current state: Start before a `stampede ui` test, Change load
  // and Stop while one runs; once it is over, nothing, or in `stampede ui` New test, which
  // brings back the form and Start for another test.
  function renderControls() {
    if (!ui.form) return;
    const state = live.state || 'waiting';
    const again = state === 'finished' && newTest;
    const before = state === 'waiting' || again;
    const during = state === 'scheduled' || state === 'running';
    ui.start.hidden = !(before && live.config.mode === 'ui');
    ui.apply.hidden = !(during || (state === 'waiting' && live.config.mode !== 'ui'));
    ui.stop.hidden = !(during || state === 'stopping');
    const over = (state === 'stopping' || state === 'finished') && !again;
    ui.form.hidden = state === 'finished' && !again;  // nothing is left to control
    if (ui.newTest) {
      ui.newTest.hidden = !(state === 'finished' && !again);
      ui.newTest.disabled = busy || live.connection !== 'live';
    }
    for (const input of ui.form.querySelectorAll('input:not(#live-token)')) input.disabled = over;
    ui.start.disabled = busy || started || live.connection === 'connecting';
    ui.apply.disabled = busy || over;
    ui.stop.disabled = busy || state === 'stopping';
  }

  function enableLinks() {
    for (const [a, href] of ui.links) {
      if (a.hasAttribute('href') || !href) continue;
      a.href = href;
      a.setAttribute('download', '');
      a.removeAttribute('title');
      a.classList.remove('unavailable');
    }
  }

  function drawResult(update) {
    if (!update.result) return;
    enableLinks();
    document.body.classList.remove('live-empty');
    const subtitle = live.state === 'finished' ? 'The final results' : 'The results so far, updated every second';
    // The page knows the plan's name even when the result so far does not carry it yet.
    const result = update.result.plan ? update.result : Object.assign({}, update.result, {plan: live.config.plan});
    report.update([{label: '', result: result, display: update.display || {}}], subtitle);
    live.drawn = update;
  }

  // Draws one update; exposed so that a page without a runner (a test fixture) can be fed.
  function apply(update) {
    try {
      if (!update || typeof update !== 'object') throw new Error('the update is not a JSON object');
      const previous = live.state;
      live.last = update;
      live.updates += 1;
      live.state = update.state || (update.status && update.status.state) || 'waiting';
      lastUpdateAt = Date.now();
      if (live.connection !== 'live' && source) setConnection('live');
      renderStatus(update);
      drawResult(update);
      renderControls();
      if (live.state === 'finished' && previous !== 'finished') {
        started = false;  // `stampede ui` may start another test (New test)
        if (!live.message || live.message.kind !== 'error') {
          show('ok', 'The test has finished: the report and statistics are ready to download.' +
            (ui.newTest ? ' New test starts another.' : ''));
        }
      }
      if (live.state !== 'finished') newTest = false;
      live.ready = true;
    } catch (e) {
      show('error', 'This update could not be drawn: ' + describe(e));
    }
  }
  live.apply = apply;

  // ---- the event stream --------------------------------------------------------------------

  function setConnection(connection) {
    live.connection = connection;
    const text = {connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', stale: 'no update for a while…',
      ended: 'the runner has ended'}[connection];
    ui.connection.textContent = text || connection;
    ui.connection.className = 'live-connection ' + connection;
    renderControls();
  }

  function connect() {
    source = new EventSource(live.config.events);
    source.addEventListener('update', (event) => {
      let update;
      try {
        update = JSON.parse(event.data);
      } catch (e) {
        show('error', 'An update could not be read: ' + describe(e));
        return;
      }
      apply(update);
    });
    source.addEventListener('open', () => setConnection('live'));
    // EventSource reconnects by itself after a dropped stream; it gives up after an answer that
    // is not an event stream, and then we try again ourselves.
    source.addEventListener('error', () => {
      if (live.state === 'finished') {
        setConnection('ended');
        source.close();
        return;
      }
      setConnection('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, kReconnectMs);
      }
    });
  }

  function watchStaleness() {
    setInterval(() => {
      // Before the start and after the end nothing changes, and the runner sends nothing new.
      const moving = live.state === 'running' || live.state === 'stopping';
      if (moving && live.connection === 'live' && Date.now() - lastUpdateAt > kStaleMs) setConnection('stale');
    }, 1000);
  }

  // ---- start -------------------------------------------------------------------------------

  function init() {
    const node = document.getElementById('stampede-live');
    live.config = JSON.parse(node.textContent);
    document.body.classList.add('live-page', 'live-empty');
    build(live.config);
    renderControls();
    // A page without an event URL is fed by hand (tests); the runner always gives one.
    if (live.config.events) {
      connect();
      watchStaleness();
    } else {
      setConnection('live');
    }
  }

  try {
    init();
  } catch (e) {
    // The bar may not exist: say so at the top of the page.
    const text = 'The live page could not start: ' + describe(e);
    live.errors.push(text);
    document.body.prepend(el('p', {class: 'live-message error', id: 'live-message'}, text));
  }
})();
