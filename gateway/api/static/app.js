/*
 * sheetlog dashboard. Plain JavaScript modules, no build step; charts by the vendored uPlot.
 * One WebSocket (/api/v1/live, subprotocol sheetlog.v1) carries coalesced updates from the gateway;
 * the page tells the gateway which page of the device table it shows (`view`) and which device it
 * charts (`watch`), so a fleet of thousands never reaches the browser whole.
 */
import { makeChart, numericValue } from './js/charts.js';
import { DeviceTable } from './js/devices.js';
import { $, el, fmtBytes, fmtDuration, fmtInt, fmtRate } from './js/format.js';
import { renderSinks } from './js/sinks.js';

const TOKEN_KEY = 'sheetlog.adminToken';
const RATE_POINTS = 300;
const SENSOR_POINTS = 600;
const phone = window.matchMedia('(max-width: 900px)').matches;

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  ws: null,
  retryMs: 500,
  hello: null,
  /** server clock minus browser clock, ms */
  skew: 0,
  view: { type: 'view', filter: '', sort: 'id', desc: false, limit: phone ? 30 : 100 },
  watch: null,
  sensor: '',
  rates: { t: [], accepted: [], naks: [] },
  sensorPoints: [],
  tailMax: 50,
  status: null,
};

/** The gateway's clock, as far as the browser can tell. */
const now = () => Date.now() + state.skew;
const devices = new DeviceTable($('devices'));

// ---------------------------------------------------------------- connection

function authHeaders() {
  return state.token ? { authorization: `Bearer ${state.token}` } : {};
}

async function start() {
  wireControls();
  let res;
  try {
    res = await fetch('/api/v1/status', { headers: authHeaders() });
  } catch {
    setConn('down', 'gateway unreachable — retrying');
    setTimeout(start, 2000);
    return;
  }
  if (res.status === 401 || res.status === 403) return askForToken(res.status === 403);
  connect();
}

function askForToken(refused) {
  $('main').hidden = true;
  $('token-form').hidden = false;
  $('token-error').hidden = !refused;
  setConn('down', 'admin token needed');
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const protocols = ['sheetlog.v1'];
  if (state.token) protocols.push(`bearer.${state.token}`);
  const ws = new WebSocket(`${scheme}//${location.host}/api/v1/live`, protocols);
  state.ws = ws;
  setConn('connecting', 'connecting…');
  ws.onopen = () => {
    state.retryMs = 500;
    setConn('live', 'live');
    send(state.view);
    send({ type: 'watch', device: state.watch });
  };
  ws.onmessage = (e) => {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    if (msg.type === 'hello') onHello(msg);
    else if (msg.type === 'update') onUpdate(msg);
    else if (msg.type === 'error') console.warn('sheetlog feed:', msg.reason);
  };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    state.ws = null;
    const wait = state.retryMs;
    state.retryMs = Math.min(state.retryMs * 2, 10000);
    setConn('down', `disconnected — retrying in ${Math.round(wait / 1000) || 1} s`);
    setTimeout(start, wait);
  };
}

function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}

function setConn(s, text) {
  $('conn').dataset.state = s;
  $('conn-text').textContent = text;
}

// ---------------------------------------------------------------- messages

function onHello(h) {
  state.hello = h;
  state.tailMax = h.tailRows;
  $('version').textContent = `v${h.version}`;
  const head = document.querySelector('#tail thead tr');
  head.replaceChildren(...h.tailColumns.map((c) => el('th', null, c)));
  document.querySelector('#tail tbody').replaceChildren();
  // A reconnect starts the streams afresh.
  state.rates = { t: [], accepted: [], naks: [] };
  pending.tail = [];
  $('tail-empty').hidden = false;
}

/**
 * Updates land in `pending` at once (cheap) and reach the DOM in the next animation frame: one
 * render however many updates arrived, and none at all while the tab is in the background.
 */
const pending = { update: null, tail: [], rates: false, chart: false, devices: null };
let frame = 0;

function onUpdate(u) {
  state.skew = u.at - Date.now();
  state.status = u.status;
  pending.update = u;
  if (u.rates.length > 0) addRates(u.rates);
  if (u.devices) pending.devices = u.devices;
  if (u.tail) {
    for (const row of u.tail) pending.tail.push(row);
    if (pending.tail.length > state.tailMax) pending.tail.splice(0, pending.tail.length - state.tailMax);
  }
  if (u.chart !== undefined) onChart(u.chart);
  frame ||= requestAnimationFrame(render);
}

let sinksShown = { json: '', at: 0 };

function render() {
  frame = 0;
  const u = pending.update;
  if (u) renderStatus(u.status, u.fleet);
  if (pending.rates) drawRates();
  // Sinks are redrawn when they change, and each second for their "… ago" times.
  const sinksJson = u ? JSON.stringify(u.sinks) : sinksShown.json;
  if (u && (sinksJson !== sinksShown.json || Date.now() - sinksShown.at >= 1000)) {
    renderSinks($('sinks'), $('sync-hint'), u.sinks, u.status, now());
    sinksShown = { json: sinksJson, at: Date.now() };
  }
  if (pending.devices) {
    devices.render(pending.devices, state.watch, now());
    syncDeviceSelect(pending.devices.rows);
  }
  if (pending.tail.length > 0) addTail(pending.tail);
  if (pending.chart) renderSensorChart();
  pending.update = null;
  pending.devices = null;
  pending.tail = [];
  pending.rates = false;
  pending.chart = false;
}

// ---------------------------------------------------------------- fleet and status

function renderStatus(s, f) {
  $('f-connected').textContent = fmtInt(f.connected);
  $('f-connected-sub').textContent = `${fmtInt(s.ingest.connections)} TCP connections`;
  $('f-seen').textContent = fmtInt(f.seen);
  $('f-seen-sub').textContent = `of ${fmtInt(f.total)} registered${f.revoked ? `, ${fmtInt(f.revoked)} revoked` : ''}`;
  $('f-silent').textContent = fmtInt(f.silent);
  $('f-silent-sub').textContent = `quiet > ${fmtDuration(state.hello ? state.hello.silentAfterMs : 120000)}${f.never ? ` · ${fmtInt(f.never)} never seen` : ''}`;
  $('f-rate').textContent = fmtRate(s.ingest.rates.last10s);
  $('f-rate-sub').textContent = `10 s mean · ${fmtInt(s.ingest.readingsStored)} stored`;
  $('f-buffer').textContent = fmtInt(s.buffer.rows);
  const pct = s.buffer.maxRows > 0 ? (100 * s.buffer.rows) / s.buffer.maxRows : 0;
  $('f-buffer-sub').textContent = `rows unsynced · ${pct < 1 && pct > 0 ? '<1' : Math.round(pct)}% of limit · ${fmtBytes(s.buffer.bytes)}`;
  const tcp = s.listeners.tcp;
  const http = s.listeners.http;
  $('meta').textContent = `up ${fmtDuration(s.uptimeMs)} · boards on TCP :${tcp ? tcp.port : '?'} · auth ${s.auth}`;
  $('foot-listeners').textContent = [tcp && `TCP ${tcp.host}:${tcp.port}`, http && `HTTP ${http.host}:${http.port}`].filter(Boolean).join(' · ');
  if (tcp) $('fleet-cmd').textContent = `npm run fleet -- --devices 20 --rate 1 --gateway 127.0.0.1:${tcp.port}`;
}

let rateChart = null;
let sensorChart = null;

function addRates(samples) {
  const r = state.rates;
  for (const [t, a, n] of samples) {
    r.t.push(t / 1000);
    r.accepted.push(a);
    r.naks.push(n);
  }
  const extra = r.t.length - RATE_POINTS;
  if (extra > 0) for (const k of ['t', 'accepted', 'naks']) r[k].splice(0, extra);
  pending.rates = true;
}

function drawRates() {
  const r = state.rates;
  $('rate-empty').hidden = true;
  rateChart ??= makeChart(
    $('rate-chart'),
    [
      { label: 'accepted/s', stroke: '#6366f1', fill: 'rgba(99,102,241,0.12)', width: 2 },
      { label: 'NAK/s', stroke: '#dc2626', width: 1.5 },
    ],
    { windowSeconds: RATE_POINTS, fromZero: true },
  );
  rateChart.setData([r.t, r.accepted, r.naks]);
}

function onChart(c) {
  if (c === null) {
    state.sensorPoints = [];
  } else if (c.device === state.watch) {
    if (c.reset) state.sensorPoints = [];
    for (const p of c.points) state.sensorPoints.push(p);
    if (state.sensorPoints.length > SENSOR_POINTS) state.sensorPoints.splice(0, state.sensorPoints.length - SENSOR_POINTS);
  }
  pending.chart = true;
}

function renderSensorChart() {
  const sensors = new Set();
  for (const [, fields] of state.sensorPoints) for (const [k, v] of Object.entries(fields)) if (numericValue(v) !== null) sensors.add(k);
  const select = $('chart-sensor');
  const names = [...sensors].sort();
  if (names.join('\u0000') !== [...select.options].map((o) => o.value).join('\u0000')) {
    select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
  }
  if (!sensors.has(state.sensor)) state.sensor = names[0] || '';
  select.value = state.sensor;
  const show = state.watch !== null && state.sensorPoints.length > 0 && state.sensor !== '';
  $('sensor-empty').hidden = show;
  $('sensor-empty').textContent =
    state.watch === null ? 'Pick a device (or click a row in the table) to chart its sensors live.' : `No numeric readings from ${state.watch} yet.`;
  $('sensor-chart').hidden = !show;
  if (!show) return;
  sensorChart ??= makeChart($('sensor-chart'), [{ label: 'value', stroke: '#0f766e', fill: 'rgba(15,118,110,0.10)', width: 2 }]);
  const xs = [];
  const ys = [];
  for (const [ts, fields] of state.sensorPoints) {
    const v = numericValue(fields[state.sensor]);
    if (v === null) continue;
    xs.push(ts / 1000);
    ys.push(v);
  }
  sensorChart.setData([xs, ys]);
}

function watch(device) {
  state.watch = device || null;
  state.sensorPoints = [];
  $('chart-device').value = state.watch || '';
  devices.select(state.watch);
  send({ type: 'watch', device: state.watch });
  renderSensorChart();
}

// ---------------------------------------------------------------- tail

function addTail(rows) {
  const tbody = document.querySelector('#tail tbody');
  const frag = document.createDocumentFragment();
  // The first batch after (re)connecting is history, and a flood is no news: only a trickle flashes.
  const flash = tbody.rows.length > 0 && rows.length <= 10 ? 'fresh' : null;
  for (let i = rows.length - 1; i >= 0; i--) {
    frag.append(el('tr', { class: flash }, ...rows[i].map((c) => el('td', null, c === null ? '' : String(c)))));
  }
  tbody.prepend(frag);
  while (tbody.rows.length > state.tailMax) tbody.lastElementChild.remove();
  $('tail-empty').hidden = tbody.rows.length > 0;
}

// ---------------------------------------------------------------- controls

function wireControls() {
  if (wireControls.done) return;
  wireControls.done = true;
  let timer = null;
  $('device-filter').addEventListener('input', (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.view = { ...state.view, filter: e.target.value.slice(0, 64) };
      send(state.view);
    }, 200);
  });
  for (const th of document.querySelectorAll('#devices th[data-sort]')) {
    th.addEventListener('click', () => {
      const sort = th.dataset.sort;
      const desc = state.view.sort === sort ? !state.view.desc : th.hasAttribute('data-desc');
      state.view = { ...state.view, sort, desc };
      markSorted();
      send(state.view);
    });
  }
  markSorted();
  document.querySelector('#devices tbody').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-id]');
    if (tr) watch(tr.dataset.id === state.watch ? null : tr.dataset.id);
  });
  $('chart-device').addEventListener('change', (e) => watch(e.target.value));
  $('chart-sensor').addEventListener('change', (e) => {
    state.sensor = e.target.value;
    renderSensorChart();
  });
  $('token-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    state.token = $('token-input').value.trim();
    const res = await fetch('/api/v1/status', { headers: authHeaders() });
    if (!res.ok) return askForToken(true);
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $('token-form').hidden = true;
    $('main').hidden = false;
    connect();
  });
  setInterval(() => devices.refreshAges(now()), 1000);
}

function markSorted() {
  for (const th of document.querySelectorAll('#devices th[data-sort]')) {
    th.classList.toggle('sorted', th.dataset.sort === state.view.sort);
    th.classList.toggle('desc', th.dataset.sort === state.view.sort && state.view.desc);
  }
}


/** The chart's device list: the table's page, plus the watched device wherever it is. */
function syncDeviceSelect(rows) {
  const select = $('chart-device');
  const ids = rows.map((r) => r.id);
  if (state.watch && !ids.includes(state.watch)) ids.unshift(state.watch);
  const current = [...select.options].slice(1).map((o) => o.value);
  if (current.join('\u0000') === ids.join('\u0000')) return;
  select.replaceChildren(el('option', { value: '' }, '—'), ...ids.map((id) => el('option', { value: id }, id)));
  select.value = state.watch || '';
}

// For a look from the browser console (and tests): the page's state, read-only by convention.
window.sheetlog = { state };
start();
