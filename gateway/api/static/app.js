/*
 * sheetlog dashboard: the composition of the page's parts (js/*.js, plain ES modules, no build step;
 * charts by the vendored uPlot). One WebSocket carries coalesced updates from the gateway; the page
 * tells it which page of the device table it shows (`view`) and which device it charts (`watch`), so
 * a fleet of thousands never reaches the browser whole. The charted device and sensor live in the
 * URL (?device=&sensor=): links open the same chart, back and forward work.
 */
import { markSorted, wireControls } from './js/controls.js';
import { DeviceTable } from './js/devices.js';
import { Feed } from './js/feed.js';
import { BillPanel } from './js/bill.js';
import { $ } from './js/format.js';
import { RateChart } from './js/rates.js';
import { onRouteChange, readRoute, writeRoute } from './js/route.js';
import { SensorPanel } from './js/sensor.js';
import { SinkPanel } from './js/sinks.js';
import { renderStatus } from './js/status.js';
import { Tail } from './js/tail.js';

const phone = window.matchMedia('(max-width: 900px)').matches;

const state = {
  hello: null,
  /** server clock minus browser clock, ms */
  skew: 0,
  view: { type: 'view', filter: '', sort: 'id', desc: false, limit: phone ? 30 : 100 },
  watch: null,
  /** The rows of the device table's page last received. */
  rows: [],
  /** The watched device's row, as last seen on a page of the table. */
  watchedRow: null,
};

/** The gateway's clock, as far as the browser can tell. */
const now = () => Date.now() + state.skew;

const devices = new DeviceTable($('devices'));
const rates = new RateChart();
const sensor = new SensorPanel();
const tail = new Tail();
const sinks = new SinkPanel($('sinks'), $('sync-hint'));
const feed = new Feed({
  onOpen: () => {
    feed.send(state.view);
    feed.send({ type: 'watch', device: state.watch });
  },
  onHello,
  onUpdate,
});
const bill = new BillPanel(() => feed.authHeaders(), () => state.hello?.billing === true);

// ---------------------------------------------------------------- selection (URL)

/** Shows `device`/`sensorName`; `push` records a person's choice in the history. */
function select(device, sensorName, { push = false } = {}) {
  const changed = device !== state.watch;
  state.watch = device;
  sensor.select(device, sensorName);
  devices.select(device);
  bill.show(device);
  if (changed) {
    state.watchedRow = state.rows.find((r) => r.id === device) ?? null;
    sensor.details(state.watchedRow);
    feed.send({ type: 'watch', device });
  }
  if (push) writeRoute({ device, sensor: sensorName });
  pending.chart = true;
  frame ||= requestAnimationFrame(render);
}

// ---------------------------------------------------------------- messages

function onHello(h) {
  state.hello = h;
  $('version').textContent = `v${h.version}`;
  tail.reset(h.tailColumns, h.tailRows);
  // A reconnect starts the streams afresh.
  rates.reset();
  pending.tail = [];
  // The hello says whether the gateway bills: show (or hide) the charted device's bill again.
  bill.reset(state.watch);
}

/**
 * Updates land in `pending` at once (cheap) and reach the DOM in the next animation frame: one
 * render however many updates arrived, and none at all while the tab is in the background.
 */
const pending = { update: null, tail: [], rates: false, chart: false, devices: null };
let frame = 0;

function onUpdate(u) {
  state.skew = u.at - Date.now();
  pending.update = u;
  sinks.observe(u.sinks, u.at);
  if (rates.add(u.rates)) pending.rates = true;
  if (u.devices) pending.devices = u.devices;
  if (u.tail) {
    for (const row of u.tail) pending.tail.push(row);
    const max = state.hello ? state.hello.tailRows : 50;
    if (pending.tail.length > max) pending.tail.splice(0, pending.tail.length - max);
  }
  if (u.chart !== undefined) {
    sensor.add(u.chart);
    pending.chart = true;
  }
  frame ||= requestAnimationFrame(render);
}

let sinksShown = { json: '', at: 0 };

function render() {
  frame = 0;
  const u = pending.update;
  if (u) renderStatus(u.status, u.fleet, state.hello ? state.hello.silentAfterMs : 120000);
  if (pending.rates) rates.draw();
  // Sinks are redrawn when they change, and each second for their "… ago" times.
  const sinksJson = u ? JSON.stringify(u.sinks) : sinksShown.json;
  if (u && (sinksJson !== sinksShown.json || Date.now() - sinksShown.at >= 1000)) {
    sinks.render(u.sinks, u.status, now());
    sinksShown = { json: sinksJson, at: Date.now() };
  }
  if (pending.devices) {
    devices.render(pending.devices, state.watch, now());
    sensor.syncDevices(pending.devices.rows);
    state.rows = pending.devices.rows;
    state.watchedRow = state.rows.find((r) => r.id === state.watch) ?? state.watchedRow;
    sensor.details(state.watch === null ? null : state.watchedRow);
  }
  if (pending.tail.length > 0) tail.add(pending.tail);
  if (pending.chart) {
    const shown = sensor.render();
    // The URL names what is shown: a sensor picked for the person replaces, never pushes.
    if (state.watch !== null && shown !== '' && shown !== readRoute().sensor) writeRoute({ device: state.watch, sensor: shown }, { replace: true });
  }
  pending.update = null;
  pending.devices = null;
  pending.tail = [];
  pending.rates = false;
  pending.chart = false;
}

// ---------------------------------------------------------------- start

wireControls(
  {
    view: (patch) => {
      state.view = { ...state.view, ...patch };
      markSorted(state.view);
      feed.send(state.view);
    },
    // Another device keeps the sensor shown when it has one of that name (comparing rooms).
    pick: (device) => select(device, sensor.sensor || sensor.wanted, { push: true }),
    sensor: (name) => select(state.watch, name, { push: true }),
  },
  () => ({ view: state.view, watch: state.watch }),
);
markSorted(state.view);
onRouteChange((route) => select(route.device, route.sensor));
setInterval(() => devices.refreshAges(now()), 1000);

const initial = readRoute();
select(initial.device, initial.sensor);

// For a look from the browser console (and tests): the page's state, read-only by convention.
window.sheetlog = { state, rates, sensor };
void feed.start();
