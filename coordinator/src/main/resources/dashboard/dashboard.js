'use strict';
// The LiveZone dashboard: draws the snapshots the coordinator pushes (GET /v1/events) and sends
// the operator's actions to the same authenticated API as the CLI. No framework, no build step;
// charts by Chart.js, served by the coordinator from its WebJar.

const TOKEN_KEY = 'livezone.token';
const QOS_SAMPLE_MS = 2000;
const QOS_WINDOW_MS = 30 * 60 * 1000;
const ZONE_COLORS = ['#0b5cad', '#c05600', '#1e7a34', '#8e24aa', '#00838f', '#6d4c41'];

const $ = (id) => document.getElementById(id);
let token = null;
let stream = null; // the AbortController of the open event stream
let last = null; // the latest snapshot
let lastEventAt = 0;
let qosSeries = []; // QoS samples, oldest first
const drawn = new Map(); // what each table last showed, to leave unchanged ones alone
let charts = null;

// ---- formatting ----
const time = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });
const pct = (x) => `${Math.round(x)} %`;
function bytes(n) {
  if (!(n > 0)) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i ? 1 : 0)} ${units[i]}`;
}
function rate(bps) {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(bps < 1e7 ? 2 : 1)} MB/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(1)} kB/s`;
  return `${Math.round(bps)} B/s`;
}
function duration(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

// ---- DOM helpers ----
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}
const stateBadge = (s) => el('span', { class: `state ${s}` }, s.toLowerCase());

/** Replaces a table body's rows, unless what they show has not changed. */
function fillTable(id, items, key, cells, empty) {
  const body = $(id);
  const shown = JSON.stringify(items);
  if (drawn.get(id) === shown) return;
  drawn.set(id, shown);
  const width = body.closest('table').tHead.rows[0].cells.length;
  const rows = items.map((item) =>
    el('tr', key(item), cells(item).map((c) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', {}, c)))));
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: width }, empty))]));
}

/** Sets a select's options, keeping the operator's choice while it is still offered. */
function setOptions(select, options, none) {
  const shown = JSON.stringify(options);
  if (select.dataset.shown === shown) return;
  select.dataset.shown = shown;
  const keep = select.value;
  select.replaceChildren(...(options.length
    ? options.map((o) => el('option', { value: o.value }, o.label))
    : [el('option', { value: '' }, none)]));
  if (options.some((o) => o.value === keep)) select.value = keep;
}

// ---- API ----
class ApiError extends Error {}

async function call(method, path, body, signal) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`the coordinator cannot be reached (${e.message})`);
  }
  if (res.status === 401) {
    signOut('The coordinator rejected the token. Enter it again.');
    throw new ApiError('the coordinator rejected the token');
  }
  if (res.ok && res.headers.get('Content-Type')?.startsWith('text/event-stream')) return res;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the text itself is the message
  }
  if (!res.ok) throw new ApiError(`${json?.message ?? (text || res.statusText)} (HTTP ${res.status})`);
  return json;
}

// ---- live updates ----
/** Reads the snapshot stream, reconnecting with back-off until signed out. */
async function connect() {
  disconnect();
  const controller = new AbortController();
  stream = controller;
  showBoard();
  let delay = 1000;
  while (stream === controller) {
    try {
      setConnection('Connecting…');
      qosSeries = (await call('GET', '/v1/qos', undefined, controller.signal)).series;
      const res = await call('GET', '/v1/events', undefined, controller.signal);
      setConnection('Live');
      delay = 1000;
      await readEvents(res.body);
      if (stream === controller) setConnection('The coordinator closed the stream; reconnecting…');
    } catch (e) {
      if (stream !== controller) return;
      setConnection(`Disconnected: ${e.message}; reconnecting…`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10000);
  }
}

function disconnect() {
  if (stream) stream.abort();
  stream = null;
}

/** Splits a text/event-stream body into events (fields: event, data; comments ignored). */
async function readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (event === 'snapshot' && data.length) render(JSON.parse(data.join('\n')));
    }
  }
}

function setConnection(text) {
  if ($('status').textContent !== text) $('status').textContent = text;
}

setInterval(() => {
  const silent = Date.now() - lastEventAt;
  $('updated').textContent = last ? `updated ${time(last.atMillis)}` : '';
  if (stream && last && silent > 5000) setConnection(`No update for ${Math.round(silent / 1000)} s`);
}, 1000);

// ---- rendering ----
function render(s) {
  last = s;
  lastEventAt = Date.now();
  setConnection('Live');
  $('updated').textContent = `updated ${time(s.atMillis)}`;
  renderFleet(s);
  renderMigrations(s);
  renderPolicies(s);
  renderQos(s);
  renderForms(s);
}

function renderFleet(s) {
  const sites = new Map(s.sites.map((name, i) => [name, i]));
  const hosts = [...s.hosts].sort((a, b) => sites.get(a.site) - sites.get(b.site));
  fillTable('hosts-body', hosts, (h) => ({ 'data-host': h.name }), (h) => [
    h.site,
    el('strong', {}, h.name),
    stateBadge(h.state),
    el('td', { class: 'nowrap' },
      el('meter', { min: 0, max: 100, value: Math.min(100, h.cpuPercent), 'aria-label': `CPU of ${h.name}` }),
      pct(h.cpuPercent)),
    el('td', { class: 'nowrap' },
      el('meter', { min: 0, max: h.memoryBytes, value: h.memoryUsedBytes, 'aria-label': `memory of ${h.name}` }),
      `${bytes(h.memoryUsedBytes)} / ${bytes(h.memoryBytes)}`),
    el('td', { class: 'nowrap' },
      el('meter', {
        min: 0, max: h.nicBytesPerSec, value: Math.max(h.nicRxBytesPerSec, h.nicTxBytesPerSec),
        'aria-label': `NIC use of ${h.name} (of ${rate(h.nicBytesPerSec)})`,
      }), `${rate(h.nicRxBytesPerSec)} / ${rate(h.nicTxBytesPerSec)}`),
    h.zones.join(', ') || '—',
  ], 'No host registered');
  $('links').textContent = s.links.length ? `Links: ${s.links.map((l) =>
    `${l.siteA} ↔ ${l.siteB} ${l.settings.latencyMs} ms one way (±${l.settings.jitterMs} ms), `
    + `${l.settings.bytesPerSec > 0 ? rate(l.settings.bytesPerSec) : 'unlimited'}`).join('; ')}` : '';
  fillTable('zones-body', s.zones, (z) => ({ 'data-zone': z.name }), (z) => [
    el('strong', {}, z.name),
    z.host,
    [stateBadge(z.state),
      z.reason ? el('div', { class: 'hint' }, z.reason) : null,
      z.failures > 0 || z.restart === 'restart'
        ? el('div', { class: 'hint' }, [
          z.failures > 0 ? `died ${z.failures}× (outside migrations)` : null,
          z.restart === 'restart' ? 'restarts on failure' : null,
        ].filter(Boolean).join('; '))
        : null],
    `${z.memoryMiB} MiB`,
    el('td', { class: 'num' }, z.clients),
    el('td', { class: 'num' }, z.rttP50Ms === null ? '—' : `${z.rttP50Ms.toFixed(0)} / ${z.rttP90Ms.toFixed(0)} ms`),
  ], 'No zone yet');
}

function renderMigrations(s) {
  fillTable('moves-body', s.migrations, (m) => ({ 'data-zone': m.zone, 'data-plan': m.planId }), (m) => [
    `#${m.planId} ${m.algorithm}`,
    el('strong', {}, m.zone),
    el('td', { class: 'nowrap' }, `${m.source} → ${m.destination}`),
    m.phase,
    el('td', { class: 'nowrap' },
      el('progress', { max: 100, value: m.percent, 'aria-label': `progress of ${m.zone}` }), pct(m.percent)),
    el('td', { class: 'num' }, m.totalBytes > 0
      ? `${bytes(m.transferredBytes)} of ${bytes(m.totalBytes)}` : bytes(m.transferredBytes)),
    el('td', { class: 'num' }, m.bytesPerSec > 0 ? rate(m.bytesPerSec) : '—'),
    el('td', { class: 'num' }, m.expectedDowntimeMillis === null
      ? `— (limit ${m.downtimeLimitMillis} ms)`
      : `≈ ${duration(m.expectedDowntimeMillis)} (limit ${m.downtimeLimitMillis} ms)`),
  ], 'No migration running');
  const finished = s.plans.filter((p) => p.state !== 'RUNNING')
    .flatMap((p) => p.moves.map((m) => ({ plan: p, move: m })));
  fillTable('history-body', finished, ({ plan, move }) => ({ 'data-zone': move.zone, 'data-plan': plan.id }),
    ({ plan, move }) => [
      `#${plan.id} ${plan.algorithm}`,
      el('strong', {}, move.zone),
      el('td', { class: 'nowrap' }, `${move.source} → ${move.destination}`),
      [stateBadge(move.state), move.error ? el('div', { class: 'hint' }, move.error) : null],
      el('td', { class: 'num' }, move.downtimeMillis >= 0 ? `${move.downtimeMillis} ms` : '—'),
      el('td', { class: 'num' }, move.totalMillis >= 0 ? duration(move.totalMillis) : '—'),
      el('td', { class: 'num' }, bytes(move.transferredBytes)),
      move.finishedMillis > 0 ? time(move.finishedMillis) : '—',
    ], 'No finished plan yet');
}

function renderPolicies(s) {
  const shown = JSON.stringify(s.policies);
  if (drawn.get('policies') === shown) return;
  drawn.set('policies', shown);
  $('policies-body').replaceChildren(...s.policies.map((p) => el('article', { 'data-policy': p.name },
    el('h3', {}, `${p.name} `, stateBadge(p.enabled ? 'enabled' : 'disabled')),
    el('p', {}, p.summary, `. Players reporting RTTs: ${p.clientsReporting}.`),
    p.decisions.length
      ? el('ol', { class: 'decisions', 'aria-label': `last decisions of ${p.name}` }, p.decisions.map((d) => el('li', {},
        el('time', { datetime: new Date(d.atMillis).toISOString() }, time(d.atMillis)), ' — ', d.reason,
        ` (QoS ${pct(d.qosBefore * 100)} → ${pct(d.qosAfter * 100)}`,
        d.moves.length ? `; moves: ${d.moves.join(', ')}` : '',
        d.planId ? `; plan #${d.planId}` : '', ')')))
      : el('p', { class: 'hint' }, 'No decision yet.'))));
}

function renderQos(s) {
  const q = s.qos;
  const now = q.latest;
  const tail = qosSeries[qosSeries.length - 1];
  if (!tail || now.atMillis - tail.atMillis >= QOS_SAMPLE_MS) qosSeries.push(now);
  qosSeries = qosSeries.filter((p) => now.atMillis - p.atMillis <= QOS_WINDOW_MS);
  $('qos-now').textContent = now.clients
    ? `${pct(now.qos * 100)} of ${now.clients} players under ${q.thresholdMs} ms now`
    : 'No player reports RTTs yet';
  if (!charts) return;
  const target = s.policies.find((p) => p.name === 'zone-mapping')?.settings.qosTarget ?? 0.9;
  const first = qosSeries[0].atMillis;
  const [qos, goal, players] = charts.qos.data.datasets;
  qos.data = qosSeries.map((p) => ({ x: p.atMillis, y: p.qos === null ? null : p.qos * 100 }));
  goal.data = [{ x: first, y: target * 100 }, { x: now.atMillis, y: target * 100 }];
  players.data = qosSeries.map((p) => ({ x: p.atMillis, y: p.clients }));
  charts.qos.update('none');

  const edges = q.bucketEdgesMs;
  charts.rtt.data.labels = edges.map((e, i) => (i + 1 < edges.length ? `${e}–${edges[i + 1]}` : `≥ ${e}`));
  charts.rtt.data.datasets = q.zones.map((z, i) => ({
    label: `${z.zone} (on ${z.host})`, data: z.histogram,
    backgroundColor: ZONE_COLORS[i % ZONE_COLORS.length],
  }));
  charts.rtt.update('none');
}

function makeCharts() {
  if (!window.Chart) return null;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#1b1f24';
  const qos = new Chart($('qos-chart'), {
    type: 'line',
    data: {
      datasets: [
        { label: '% of players under threshold', data: [], yAxisID: 'y', borderColor: '#0b5cad',
          backgroundColor: '#0b5cad', pointRadius: 0, borderWidth: 2 },
        { label: 'QoS target', data: [], yAxisID: 'y', borderColor: '#b3261e', backgroundColor: '#b3261e',
          borderDash: [6, 4], pointRadius: 0, borderWidth: 1 },
        { label: 'players reporting', data: [], yAxisID: 'players', borderColor: '#6b7785',
          backgroundColor: '#6b7785', pointRadius: 0, borderWidth: 1, stepped: true },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', ticks: { callback: (v) => time(v), maxTicksLimit: 5 } },
        y: { min: 0, max: 100, title: { display: true, text: '% of players' } },
        players: { position: 'right', beginAtZero: true, ticks: { precision: 0 },
          grid: { drawOnChartArea: false }, title: { display: true, text: 'players' } },
      },
      plugins: { tooltip: { callbacks: { title: (items) => time(items[0].parsed.x) } } },
    },
  });
  const rtt = new Chart($('rtt-chart'), {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      animation: false, maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'RTT to the zone\'s host (ms)' } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'players' } },
      },
    },
  });
  return { qos, rtt };
}

/** Offers the current zones, hosts and plans; fills form defaults the operator has not touched. */
function renderForms(s) {
  const zones = s.zones.map((z) => ({ value: z.name, label: `${z.name} (on ${z.host})` }));
  setOptions($('migrate-zone'), zones, 'no zone');
  setOptions($('suspend-zone'), s.zones.map((z) => ({
    value: z.name, label: `${z.name} (on ${z.host}, ${z.state.toLowerCase()})`,
  })), 'no zone');
  const hosts = s.hosts.map((h) => ({ value: h.name, label: `${h.name} (${h.site}, ${h.state.toLowerCase()})` }));
  setOptions($('migrate-host'), hosts, 'no host');
  setOptions($('resume-host'), [{ value: '', label: 'same host (where its image is)' }, ...hosts], 'no host');
  setOptions($('cancel-plan'), s.plans.filter((p) => p.state === 'RUNNING').map((p) => ({
    value: String(p.id), label: `#${p.id} ${p.algorithm}: ${p.moves.map((m) => `${m.zone} → ${m.destination}`).join(', ')}`,
  })), 'no running plan');
  const d = s.migrationDefaults;
  fillOnce($('migrate-downtime'), d.downtimeLimitMs);
  fillOnce($('migrate-bandwidth'), d.maxBandwidthBytesPerSec / 1e6);
  const zm = s.policies.find((p) => p.name === 'zone-mapping');
  const form = $('policy-form');
  const settings = JSON.stringify(zm.settings);
  if (form.dataset.shown !== settings && !form.contains(document.activeElement)) {
    form.dataset.shown = settings;
    $('policy-enabled').checked = zm.settings.enabled;
    $('policy-threshold').value = zm.settings.rttThresholdMs;
    $('policy-target').value = zm.settings.qosTarget * 100;
    $('policy-period').value = zm.settings.periodSeconds;
  }
}

function fillOnce(input, value) {
  if (!input.dataset.filled) {
    input.value = value;
    input.dataset.filled = 'yes';
  }
}

// ---- actions ----
function number(input, what) {
  const text = input.value.trim();
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) throw new Error(`${what} must be a number.`);
  return n;
}

function confirmAction(question) {
  const dialog = $('confirm');
  $('confirm-text').textContent = question;
  return new Promise((resolve) => {
    dialog.returnValue = '';
    $('confirm-ok').onclick = () => dialog.close('ok');
    $('confirm-cancel').onclick = () => dialog.close('cancel');
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

/**
 * Runs one action of a form: prepare() checks the input and returns {question, run}; the
 * operator confirms; run() calls the API and returns what to tell. Errors show in the form.
 */
async function act(form, prepare) {
  const error = form.querySelector('.error');
  const result = form.querySelector('.result');
  if (form.getAttribute('aria-busy') === 'true') return;
  error.textContent = '';
  result.textContent = '';
  let action;
  try {
    if (!last) throw new Error('Not connected to the coordinator yet.');
    action = prepare();
  } catch (e) {
    error.textContent = e.message;
    return;
  }
  if (!(await confirmAction(action.question))) {
    result.textContent = 'Cancelled; nothing was changed.';
    return;
  }
  form.setAttribute('aria-busy', 'true');
  try {
    result.textContent = await action.run();
  } catch (e) {
    error.textContent = `Rejected: ${e.message}`;
  } finally {
    form.removeAttribute('aria-busy');
  }
}

function onSubmit(formId, prepare) {
  const form = $(formId);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(form, prepare);
  });
}

onSubmit('migrate-form', () => {
  const zone = $('migrate-zone').value;
  const to = $('migrate-host').value;
  const algorithm = $('migrate-algorithm').value;
  if (!zone || !to) throw new Error('Choose a zone and a destination host.');
  const downtime = number($('migrate-downtime'), 'The downtime limit');
  const bandwidth = number($('migrate-bandwidth'), 'The bandwidth cap');
  const d = last.migrationDefaults;
  const settings = {
    downtimeLimitMs: Math.round(downtime), maxBandwidthBytesPerSec: Math.round(bandwidth * 1e6),
    autoConverge: d.autoConverge, postcopy: d.postcopy,
  };
  const from = last.zones.find((z) => z.name === zone)?.host ?? '?';
  return {
    question: `Migrate zone ${zone} from ${from} to ${to} (${algorithm} schedule, downtime limit `
      + `${settings.downtimeLimitMs} ms${bandwidth > 0 ? `, at most ${bandwidth} MB/s` : ''})?`,
    run: async () => {
      const v = await call('POST', `/v1/zones/${encodeURIComponent(zone)}/migrate`, { to, algorithm, settings });
      return `Plan #${v.plan.id} started: ${zone} ${from} → ${to}.`;
    },
  };
});

onSubmit('plan-form', () => {
  const text = $('plan-moves').value.trim();
  if (!text) throw new Error('Enter at least one move, e.g. arena=h3.');
  const moves = text.split(/[\s,]+/).filter(Boolean).map((t) => {
    const m = /^([^=]+)=([^=]+)$/.exec(t);
    if (!m) throw new Error(`"${t}" is not a move; write zone=host.`);
    return { zone: m[1], to: m[2] };
  });
  const algorithm = $('plan-algorithm').value;
  const timeoutSeconds = number($('plan-timeout'), 'The plan timeout');
  return {
    question: `Run a plan (${algorithm} schedule) of ${moves.length} move${moves.length > 1 ? 's' : ''}: `
      + `${moves.map((m) => `${m.zone} → ${m.to}`).join(', ')}?`,
    run: async () => {
      const v = await call('POST', '/v1/plans', { algorithm, moves, timeoutSeconds });
      return `Plan #${v.plan.id} started.`;
    },
  };
});

onSubmit('cancel-form', () => {
  const id = $('cancel-plan').value;
  if (!id) throw new Error('No plan is running.');
  return {
    question: `Cancel plan #${id}? Moves not started are dropped; running ones are aborted and their zones stay at the source.`,
    run: async () => {
      const v = await call('POST', `/v1/plans/${id}/cancel`, {});
      return `Plan #${v.plan.id} is ${v.plan.state.toLowerCase()}.`;
    },
  };
});

onSubmit('policy-form', () => {
  const body = {
    enabled: $('policy-enabled').checked,
    rttThresholdMs: number($('policy-threshold'), 'The RTT threshold'),
    qosTarget: number($('policy-target'), 'The QoS target') / 100,
    periodSeconds: number($('policy-period'), 'The period'),
  };
  return {
    question: `${body.enabled ? 'Enable' : 'Disable'} zone mapping (RTT threshold ${body.rttThresholdMs} ms, `
      + `QoS target ${body.qosTarget * 100} %, every ${body.periodSeconds} s)?`
      + (body.enabled ? ' It will move zones on its own.' : ''),
    run: async () => {
      const v = await call('PUT', '/v1/policies/zone-mapping', body);
      $('policy-form').dataset.shown = '';
      return `Zone mapping is ${v.zoneMapping.settings.enabled ? 'enabled' : 'disabled'}.`;
    },
  };
});

$('policy-run').addEventListener('click', () => act($('policy-form'), () => ({
  question: 'Run one zone-mapping round now? If it finds a better mapping it starts a plan.',
  run: async () => {
    const d = await call('POST', '/v1/policies/zone-mapping/run', {});
    return `Decision: ${d.reason}${d.planId ? `; plan #${d.planId} started` : ''}.`;
  },
})));

onSubmit('suspend-form', () => {
  const zone = $('suspend-zone').value;
  if (!zone) throw new Error('Choose a zone.');
  const on = last.zones.find((z) => z.name === zone)?.host ?? '?';
  return {
    question: `Suspend zone ${zone} on ${on}? Its VM is saved to an image on ${on} and stopped; `
      + 'its players are cut off until it resumes.',
    run: async () => {
      const v = await call('POST', `/v1/zones/${encodeURIComponent(zone)}/suspend`, {});
      return `Zone ${zone} is ${v.state.toLowerCase()} on ${v.host}.`;
    },
  };
});

$('resume-submit').addEventListener('click', () => act($('suspend-form'), () => {
  const zone = $('suspend-zone').value;
  const host = $('resume-host').value;
  if (!zone) throw new Error('Choose a zone.');
  const on = last.zones.find((z) => z.name === zone)?.host ?? '?';
  return {
    question: host && host !== on
      ? `Resume zone ${zone} on ${host}? Its image is copied there from ${on} first.`
      : `Resume zone ${zone} on ${on}, the host holding its image?`,
    run: async () => {
      const v = await call('POST', `/v1/zones/${encodeURIComponent(zone)}/resume`, host ? { host } : {});
      return `Zone ${zone} is ${v.state.toLowerCase()} on ${v.host}.`;
    },
  };
}));

// ---- signing in and out ----
function showBoard() {
  $('login').hidden = true;
  $('board').hidden = false;
  $('sign-out').hidden = false;
  if (!charts) charts = makeCharts();
}

function signOut(why) {
  disconnect();
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = why ?? '';
  setConnection('Not connected');
  $('token').focus();
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const value = $('token').value.trim();
  if (!value) {
    $('login-error').textContent = 'Enter the cluster\'s API token.';
    return;
  }
  token = value;
  sessionStorage.setItem(TOKEN_KEY, value);
  $('token').value = '';
  $('login-error').textContent = '';
  connect();
});

$('sign-out').addEventListener('click', () => signOut());

// A token handed over in the URL fragment (never sent to the server) is kept for this tab only
// and removed from the address bar and history.
const fragment = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
if (fragment) {
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fragment[1]));
  history.replaceState(null, '', location.pathname + location.search);
}
token = sessionStorage.getItem(TOKEN_KEY);
if (token) connect();
else signOut();
