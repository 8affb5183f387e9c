// Rosetta status page: sign-in, overview of hosts and services, operator actions and live updates
// from the native API's event stream. Plain JavaScript, no build step. Every piece of data is inserted
// as text (textContent / text nodes), never as HTML.
'use strict';

(() => {
  const HOST_STATES = ['up', 'down', 'unreachable', 'pending'];
  const SERVICE_STATES = ['ok', 'warning', 'critical', 'unknown', 'pending'];
  const STATE_LABELS = {
    up: 'Up', down: 'Down', unreachable: 'Unreachable', ok: 'OK', warning: 'Warning',
    critical: 'Critical', unknown: 'Unknown', pending: 'Pending', unmonitored: 'Not monitored',
  };
  // Lower sorts first in the problem list.
  const STATE_RANK = {
    down: 0, critical: 1, unreachable: 2, unknown: 3, warning: 4, pending: 5, unmonitored: 6, up: 7, ok: 8,
  };
  const STREAM_EVENTS = [
    'state_change', 'acknowledgement', 'downtime_start', 'downtime_end', 'notification', 'posted',
    'configuration', 'event', 'message',
  ];
  const PAGE_LIMIT = 1000;
  const REFRESH_DEBOUNCE_MS = 250;
  const SESSION_HINT = 'rosetta.signedIn';

  const $ = (id) => {
    const node = document.getElementById(id);
    if (!node) throw new Error(`missing element #${id}`);
    return node;
  };

  // Builds an element; children are nodes or strings (inserted as text).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  class Unauthenticated extends ApiError {}

  async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, 'The gateway cannot be reached. Check the network and try again.');
    }
    let data = null;
    const text = await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (err) {
        data = null;
      }
    }
    if (response.ok) return data;
    const message = (data && data.error && typeof data.error.message === 'string' && data.error.message)
      || `${response.status} ${response.statusText || 'error'}`;
    if (response.status === 401) throw new Unauthenticated(401, message);
    throw new ApiError(response.status, message);
  }

  // Every item of a native list, following next_cursor.
  async function listAll(path) {
    const items = [];
    let cursor = null;
    for (let guard = 0; guard < 10000; guard += 1) {
      const query = new URLSearchParams({ limit: String(PAGE_LIMIT) });
      if (cursor) query.set('cursor', cursor);
      const page = await api('GET', `${path}?${query}`);
      items.push(...(page.items || []));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    return items;
  }

  // ----- state -------------------------------------------------------------------------------------

  const state = {
    user: null,
    hosts: [],
    services: [],
    signatures: new Map(),
    loadedOnce: false,
    filter: '',
    action: null,
  };

  function checkState(status) {
    if (!status) return 'unmonitored';
    return status.state;
  }

  function isProblem(status) {
    return !!status && !['ok', 'up', 'pending'].includes(status.state);
  }

  function isHandled(status) {
    return !!status && (status.acknowledged || status.downtime_depth > 0);
  }

  // One row per host and per service, in the shape the tables render.
  function rows() {
    const out = [];
    for (const host of state.hosts) {
      out.push({ key: host.name, kind: 'host', host: host.name, service: null, status: host.status });
    }
    for (const service of state.services) {
      const hostName = service.host ? service.host.name : '';
      out.push({ key: `${hostName}/${service.name}`, kind: 'service', host: hostName, service: service.name, status: service.status });
    }
    return out;
  }

  // Problems: the worst state first, then by name.
  function compareProblems(a, b) {
    const rank = STATE_RANK[checkState(a.status)] - STATE_RANK[checkState(b.status)];
    if (rank !== 0) return rank;
    return compareNames(a, b);
  }

  // By host, the host check before its services, then by service.
  function compareNames(a, b) {
    const host = a.host.localeCompare(b.host);
    if (host !== 0) return host;
    if (a.kind !== b.kind) return a.kind === 'host' ? -1 : 1;
    return (a.service || '').localeCompare(b.service || '');
  }

  // ----- rendering ---------------------------------------------------------------------------------

  function formatTime(millis) {
    if (!millis) return { text: 'never', title: 'No check result yet' };
    const date = new Date(millis);
    const seconds = Math.max(0, Math.round((Date.now() - millis) / 1000));
    let text;
    if (seconds < 60) text = `${seconds}s ago`;
    else if (seconds < 3600) text = `${Math.floor(seconds / 60)}m ago`;
    else if (seconds < 86400) text = `${Math.floor(seconds / 3600)}h ago`;
    else text = date.toLocaleDateString();
    return { text, title: date.toLocaleString() };
  }

  function stateBadge(name) {
    return el('span', { class: `state state-${name}`, 'data-testid': 'state' }, STATE_LABELS[name] || name);
  }

  function statusBadges(row) {
    const status = row.status;
    const list = el('div', { class: 'badges' });
    if (!status) return list;
    if (status.acknowledged) list.append(el('span', { class: 'badge badge-ack', 'data-testid': 'badge-ack' }, 'Acknowledged'));
    if (status.downtime_depth > 0) list.append(el('span', { class: 'badge badge-downtime', 'data-testid': 'badge-downtime' }, 'In downtime'));
    if (status.flapping) list.append(el('span', { class: 'badge badge-flapping', 'data-testid': 'badge-flapping' }, 'Flapping'));
    if (status.type === 'soft' && isProblem(status)) {
      list.append(el('span', { class: 'badge badge-soft', 'data-testid': 'badge-soft', title: 'Soft state: not yet confirmed' },
        `Soft ${status.attempt}/${status.max_attempts}`));
    }
    return list;
  }

  function targetLabel(row) {
    return row.service ? `${row.service} on ${row.host}` : `host ${row.host}`;
  }

  function actionButtons(row) {
    const cell = el('div', { class: 'actions' });
    const status = row.status;
    if (!status) return cell;
    if (status.acknowledged) {
      cell.append(el('button', {
        type: 'button', class: 'btn btn-small', 'data-testid': `unack:${row.key}`,
        'aria-label': `Remove acknowledgement of ${targetLabel(row)}`, onclick: () => unacknowledge(row),
      }, 'Remove ack'));
    } else if (isProblem(status)) {
      cell.append(el('button', {
        type: 'button', class: 'btn btn-small btn-primary', 'data-testid': `ack:${row.key}`,
        'aria-label': `Acknowledge ${targetLabel(row)}`, onclick: () => openAction('acknowledge', row),
      }, 'Acknowledge'));
    }
    cell.append(el('button', {
      type: 'button', class: 'btn btn-small', 'data-testid': `downtime:${row.key}`,
      'aria-label': `Schedule downtime for ${targetLabel(row)}`, onclick: () => openAction('downtime', row),
    }, 'Downtime'));
    return cell;
  }

  function signature(row) {
    const s = row.status;
    return s ? `${s.state}|${s.acknowledged}|${s.downtime_depth}|${s.output}` : 'unmonitored';
  }

  function renderRow(row, changed) {
    const status = row.status;
    const name = checkState(status);
    const time = formatTime(status && status.last_check);
    const tr = el('tr', {
      class: changed ? `row row-${name} row-changed` : `row row-${name}`,
      'data-testid': `row:${row.key}`,
      'data-kind': row.kind,
      'data-state': name,
      'data-acknowledged': String(!!(status && status.acknowledged)),
      'data-downtime': String(!!(status && status.downtime_depth > 0)),
      'data-handled': String(isHandled(status)),
    },
    el('td', {}, stateBadge(name)),
    el('td', { class: 'name' }, row.host),
    el('td', { class: 'name' }, row.service ? row.service : el('span', { class: 'muted' }, 'host check')),
    el('td', { class: 'output', 'data-testid': 'output' }, status ? (status.output || '') : ''),
    el('td', { class: 'time' }, el('time', {
      datetime: status && status.last_check ? new Date(status.last_check).toISOString() : null, title: time.title,
    }, time.text)),
    el('td', {}, statusBadges(row)),
    el('td', {}, actionButtons(row)));
    return tr;
  }

  function countItem(kind, name, count) {
    return el('li', { class: count > 0 ? `count count-${name}` : 'count count-zero', 'data-testid': `count-${kind}-${name}` },
      el('span', { class: 'count-value' }, String(count)),
      el('span', { class: 'count-label' }, STATE_LABELS[name] || name));
  }

  function renderCounts(list, kind, names, items) {
    const counts = Object.fromEntries(names.map((name) => [name, 0]));
    let unmonitored = 0;
    for (const item of items) {
      const name = checkState(item.status);
      if (name === 'unmonitored') unmonitored += 1;
      else counts[name] = (counts[name] || 0) + 1;
    }
    const nodes = names.map((name) => countItem(kind, name, counts[name]));
    if (unmonitored > 0) nodes.push(countItem(kind, 'unmonitored', unmonitored));
    list.replaceChildren(...nodes);
  }

  function matchesFilter(row) {
    if (!state.filter) return true;
    const text = `${row.host} ${row.service || ''} ${(row.status && row.status.output) || ''}`.toLowerCase();
    return text.includes(state.filter);
  }

  function render() {
    const focused = document.activeElement && document.activeElement.getAttribute('data-testid');
    const all = rows();
    renderCounts($('host-counts'), 'hosts', HOST_STATES, state.hosts);
    renderCounts($('service-counts'), 'services', SERVICE_STATES, state.services);
    $('hosts-total').textContent = String(state.hosts.length);
    $('services-total').textContent = String(state.services.length);

    const problems = all.filter((row) => isProblem(row.status));
    const unhandled = problems.filter((row) => !isHandled(row.status)).sort(compareProblems);
    const handled = problems.filter((row) => isHandled(row.status)).sort(compareProblems);
    const others = all.filter((row) => !isProblem(row.status)).sort(compareNames);
    $('problem-counts').replaceChildren(
      el('li', { class: unhandled.length ? 'count count-critical' : 'count count-zero', 'data-testid': 'count-problems-unhandled' },
        el('span', { class: 'count-value' }, String(unhandled.length)), el('span', { class: 'count-label' }, 'Unhandled')),
      el('li', { class: handled.length ? 'count count-handled' : 'count count-zero', 'data-testid': 'count-problems-handled' },
        el('span', { class: 'count-value' }, String(handled.length)), el('span', { class: 'count-label' }, 'Handled')));

    const previous = state.signatures;
    const next = new Map();
    const build = (row) => {
      const sig = signature(row);
      next.set(row.key, sig);
      const changed = state.loadedOnce && previous.has(row.key) && previous.get(row.key) !== sig;
      return renderRow(row, changed);
    };
    const problemRows = [...unhandled, ...handled].filter(matchesFilter).map(build);
    const otherRows = others.filter(matchesFilter).map(build);
    state.signatures = next;
    state.loadedOnce = true;

    $('problems-body').replaceChildren(...problemRows);
    $('others-body').replaceChildren(...otherRows);
    $('problems-empty').hidden = problemRows.length > 0;
    $('problems-empty').textContent = problems.length ? 'No problem matches the filter.' : 'No problems. Everything is fine.';
    $('others-empty').hidden = otherRows.length > 0;
    if (focused) {
      const again = document.querySelector(`[data-testid="${CSS.escape(focused)}"]`);
      if (again && again !== document.activeElement) again.focus();
    }
    $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    document.title = unhandled.length ? `(${unhandled.length}) Rosetta status` : 'Rosetta status';
  }

  // ----- views -------------------------------------------------------------------------------------

  function showBanner(message) {
    $('banner-text').textContent = message;
    $('banner').hidden = false;
  }

  function hideBanner() {
    $('banner').hidden = true;
    $('banner-text').textContent = '';
  }

  function showLogin(message) {
    closeStream();
    state.user = null;
    try { localStorage.removeItem(SESSION_HINT); } catch (err) { /* storage may be disabled */ }
    $('loading').hidden = true;
    $('overview').hidden = true;
    $('session-bar').hidden = true;
    $('login-view').hidden = false;
    const error = $('login-error');
    error.textContent = message || '';
    error.hidden = !message;
    const dialog = $('action-dialog');
    if (dialog.open) dialog.close();
    $('login-name').focus();
  }

  function showOverview() {
    $('loading').hidden = true;
    $('login-view').hidden = true;
    $('overview').hidden = false;
    $('session-bar').hidden = false;
    $('whoami').textContent = state.user ? `Signed in as ${state.user.login}` : '';
  }

  function handleError(err) {
    if (err instanceof Unauthenticated) {
      showLogin('Your session has ended. Please sign in again.');
      return;
    }
    showBanner(err instanceof ApiError ? err.message : String(err));
  }

  // ----- data --------------------------------------------------------------------------------------

  let refreshTimer = null;
  let refreshing = null;
  let refreshAgain = false;

  async function refresh() {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        const [hosts, services] = await Promise.all([listAll('/api/v1/hosts'), listAll('/api/v1/services')]);
        state.hosts = hosts;
        state.services = services;
        render();
      } catch (err) {
        handleError(err);
      }
    })();
    try {
      await refreshing;
    } finally {
      refreshing = null;
    }
    if (refreshAgain && state.user) {
      refreshAgain = false;
      await refresh();
    }
    return undefined;
  }

  function scheduleRefresh(delay) {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      if (state.user) refresh();
    }, delay);
  }

  // ----- live updates ------------------------------------------------------------------------------

  let source = null;
  let lastEventId = null;
  let reconnectTimer = null;
  let reconnectDelay = 1000;

  function setLive(mode, text) {
    const live = $('live');
    live.dataset.state = mode;
    $('live-text').textContent = text;
  }

  function closeStream() {
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (source) source.close();
    source = null;
    setLive('offline', 'Offline');
  }

  function onStreamEvent(event) {
    if (event.lastEventId) lastEventId = event.lastEventId;
    const live = $('live');
    live.classList.remove('live-pulse');
    // Restart the pulse animation on every event.
    void live.offsetWidth;
    live.classList.add('live-pulse');
    scheduleRefresh(REFRESH_DEBOUNCE_MS);
  }

  function openStream() {
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (source) source.close();
    // The browser resends Last-Event-ID on its own reconnects; a fresh EventSource resumes with ?since=.
    const url = lastEventId ? `/api/v1/stream?since=${encodeURIComponent(lastEventId)}` : '/api/v1/stream';
    const stream = new EventSource(url);
    source = stream;
    setLive('connecting', 'Connecting…');
    stream.onopen = () => {
      if (stream !== source) return;
      reconnectDelay = 1000;
      setLive('live', 'Live');
      // Anything that happened between the last fetch and the subscription is picked up here.
      scheduleRefresh(0);
    };
    stream.onerror = () => {
      if (stream !== source) return;
      if (stream.readyState === EventSource.CONNECTING) {
        setLive('reconnecting', 'Reconnecting…');
        return;
      }
      // The browser gave up (an HTTP error such as 401): find out why, then retry with back-off.
      stream.close();
      source = null;
      setLive('reconnecting', 'Reconnecting…');
      api('GET', '/api/v1/whoami').then(() => {
        const delay = reconnectDelay;
        reconnectDelay = Math.min(reconnectDelay * 2, 30000);
        reconnectTimer = setTimeout(() => { if (state.user) openStream(); }, delay);
      }, (err) => {
        if (err instanceof Unauthenticated) {
          showLogin('Your session has ended. Please sign in again.');
        } else {
          const delay = reconnectDelay;
          reconnectDelay = Math.min(reconnectDelay * 2, 30000);
          setLive('offline', 'Offline');
          reconnectTimer = setTimeout(() => { if (state.user) openStream(); }, delay);
        }
      });
    };
    for (const name of STREAM_EVENTS) stream.addEventListener(name, onStreamEvent);
  }

  async function enter(user) {
    state.user = user;
    try { localStorage.setItem(SESSION_HINT, '1'); } catch (err) { /* storage may be disabled */ }
    showOverview();
    openStream();
    await refresh();
  }

  // ----- sign-in and sign-out ----------------------------------------------------------------------

  async function onLogin(event) {
    event.preventDefault();
    const login = $('login-name').value.trim();
    const password = $('login-password').value;
    const error = $('login-error');
    if (!login || !password) {
      error.textContent = 'Enter your login and password.';
      error.hidden = false;
      return;
    }
    const submit = $('login-submit');
    submit.disabled = true;
    error.hidden = true;
    try {
      await api('POST', '/api/v1/sessions', { login, password });
      const user = await api('GET', '/api/v1/whoami');
      $('login-password').value = '';
      hideBanner();
      await enter(user);
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
      error.hidden = false;
      $('login-password').select();
    } finally {
      submit.disabled = false;
    }
  }

  async function onLogout() {
    try {
      await api('DELETE', '/api/v1/sessions');
    } catch (err) {
      if (!(err instanceof Unauthenticated)) {
        showBanner(err.message);
        return;
      }
    }
    hideBanner();
    showLogin('');
  }

  // ----- actions -----------------------------------------------------------------------------------

  function openAction(kind, row) {
    state.action = { kind, row };
    $('action-title').textContent = kind === 'acknowledge' ? 'Acknowledge problem' : 'Schedule downtime';
    $('action-target').textContent = row.service ? `Service ${row.service} on host ${row.host}` : `Host ${row.host}`;
    $('action-submit').textContent = kind === 'acknowledge' ? 'Acknowledge' : 'Schedule downtime';
    $('sticky-row').hidden = kind !== 'acknowledge';
    $('duration-row').hidden = kind !== 'downtime';
    $('action-comment').value = '';
    $('action-error').hidden = true;
    $('action-dialog').showModal();
    $('action-comment').focus();
  }

  function target(row) {
    return row.service ? { host: row.host, service: row.service } : { host: row.host };
  }

  async function onActionSubmit(event) {
    event.preventDefault();
    const action = state.action;
    if (!action) return;
    const comment = $('action-comment').value.trim();
    const error = $('action-error');
    if (!comment) {
      error.textContent = 'A comment is required.';
      error.hidden = false;
      $('action-comment').focus();
      return;
    }
    const submit = $('action-submit');
    submit.disabled = true;
    try {
      if (action.kind === 'acknowledge') {
        await api('POST', '/api/v1/acknowledgements', { ...target(action.row), comment, sticky: $('action-sticky').checked });
      } else {
        const minutes = Number.parseInt($('action-duration').value, 10);
        await api('POST', '/api/v1/downtimes', { ...target(action.row), comment, duration_minutes: minutes });
      }
      state.action = null;
      $('action-dialog').close();
      await refresh();
    } catch (err) {
      if (err instanceof Unauthenticated) {
        handleError(err);
      } else {
        error.textContent = err instanceof ApiError ? err.message : String(err);
        error.hidden = false;
      }
    } finally {
      submit.disabled = false;
    }
  }

  async function unacknowledge(row) {
    try {
      await api('DELETE', '/api/v1/acknowledgements', target(row));
      hideBanner();
      await refresh();
    } catch (err) {
      handleError(err);
    }
  }

  // ----- start -------------------------------------------------------------------------------------

  async function start() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    $('banner-close').addEventListener('click', hideBanner);
    $('action-form').addEventListener('submit', onActionSubmit);
    $('action-cancel').addEventListener('click', () => { state.action = null; $('action-dialog').close(); });
    $('filter').addEventListener('input', (event) => {
      state.filter = event.target.value.trim().toLowerCase();
      render();
    });
    // Keep the relative times fresh without asking the gateway.
    setInterval(() => { if (state.user && !$('overview').hidden) render(); }, 30000);

    let signedIn = false;
    try { signedIn = localStorage.getItem(SESSION_HINT) === '1'; } catch (err) { signedIn = false; }
    // Only ask who we are when this browser signed in before, so a first visit goes straight to the form.
    if (!signedIn) {
      showLogin('');
      return;
    }
    try {
      await enter(await api('GET', '/api/v1/whoami'));
    } catch (err) {
      showLogin(err instanceof Unauthenticated ? '' : err.message);
    }
  }

  start();
})();
