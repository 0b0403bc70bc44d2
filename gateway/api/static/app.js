/*
 * sheetlog dashboard. Plain JavaScript, no build step; charts by the vendored uPlot.
 * One WebSocket (/api/v1/live, subprotocol sheetlog.v1) carries coalesced updates from the gateway;
 * the page tells the gateway which page of the device table it shows (`view`) and which device it
 * charts (`watch`), so a fleet of thousands never reaches the browser whole.
 */
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
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

  // ---------------------------------------------------------------- formatting

  const intFmt = new Intl.NumberFormat('en-US');
  const fmtInt = (n) => (n === null || n === undefined ? '–' : intFmt.format(Math.round(n)));
  const now = () => Date.now() + state.skew;

  function fmtAgo(ts) {
    if (ts === null || ts === undefined) return 'never';
    const s = Math.max(0, Math.round((now() - ts) / 1000));
    if (s < 2) return 'just now';
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.floor(s / 60)} min ago`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
    return `${Math.floor(s / 86400)} d ago`;
  }

  function fmtDuration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
    return `${Math.floor(s / 86400)}d ${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
  }

  function fmtMs(ms, signed) {
    if (ms === null || ms === undefined) return '–';
    const sign = signed && ms > 0 ? '+' : '';
    if (Math.abs(ms) < 1000) return `${sign}${Math.round(ms)} ms`;
    if (Math.abs(ms) < 60000) return `${sign}${(ms / 1000).toFixed(1)} s`;
    return `${ms < 0 ? '-' : sign}${fmtDuration(Math.abs(ms))}`;
  }

  function fmtBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
    if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
    return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
  }

  function fmtRate(n) {
    if (n >= 100) return fmtInt(n);
    if (n >= 10) return n.toFixed(1);
    return n.toFixed(n === 0 ? 0 : 2);
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  const pill = (s) => el('span', { class: 'pill', 'data-s': s }, s);

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
      renderSinks(u.sinks, u.status);
      sinksShown = { json: sinksJson, at: Date.now() };
    }
    if (pending.devices) renderDevices(pending.devices);
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

  // ---------------------------------------------------------------- charts

  function themeColors() {
    const css = getComputedStyle(document.documentElement);
    return { ink: css.getPropertyValue('--muted').trim() || '#667085', line: css.getPropertyValue('--line').trim() || '#e4e7ec' };
  }

  function axes(yLabel) {
    const c = themeColors();
    const base = { stroke: c.ink, grid: { stroke: c.line, width: 1 }, ticks: { stroke: c.line, width: 1 } };
    return [base, { ...base, label: yLabel, size: 56, labelSize: 18 }];
  }

  function makeChart(container, series, yLabel, windowSeconds, fromZero) {
    const width = Math.max(240, container.clientWidth);
    const opts = {
      width,
      height: phone ? 170 : 200,
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
      scales: {
        x: {
          time: true,
          // The data's span, at most `windowSeconds` (the rate chart grows to five minutes), never empty.
          range: (_u, min, max) => {
            if (min === null || max === null) return [Date.now() / 1000 - 60, Date.now() / 1000];
            // The rate chart shows at least a minute, then grows to its window.
            const lo = windowSeconds ? Math.min(max - 60, Math.max(min, max - windowSeconds)) : min;
            return lo === max ? [max - 30, max + 1] : [lo, max];
          },
        },
        y: {
          range: (_u, min, max) =>
            fromZero ? [0, Math.max(1, (max || 0) * 1.15)] : min === max ? [min - 1, max + 1] : uPlot.rangeNum(min, max, 0.1, true),
        },
      },
      axes: axes(yLabel),
      series: [{}, ...series],
    };
    const chart = new uPlot(opts, [[], ...series.map(() => [])], container);
    new ResizeObserver(() => chart.setSize({ width: Math.max(240, container.clientWidth), height: opts.height })).observe(container);
    return chart;
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
      '',
      RATE_POINTS,
      true,
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

  function numericValue(v) {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return null;
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
    sensorChart ??= makeChart($('sensor-chart'), [{ label: 'value', stroke: '#0f766e', fill: 'rgba(15,118,110,0.10)', width: 2 }], '');
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
    for (const tr of document.querySelectorAll('#devices tbody tr')) tr.classList.toggle('selected', tr.dataset.id === state.watch);
    send({ type: 'watch', device: state.watch });
    renderSensorChart();
  }

  // ---------------------------------------------------------------- sync

  function renderSinks(sinks, status) {
    const box = $('sinks');
    $('sync-hint').textContent = sinks.length ? `${sinks.length} sink${sinks.length > 1 ? 's' : ''}` : '';
    if (sinks.length === 0) {
      box.replaceChildren(
        el('div', { class: 'empty' }, el('strong', null, 'No sink is running.'), ` Rows wait safely in the local buffer (${fmtInt(status.buffer.highestId)} stored) until one takes them.`),
      );
      return;
    }
    box.replaceChildren(...sinks.map(sinkCard));
  }

  function sinkCard(s) {
    const stat = (k, v, extra) => el('div', { class: 'stat' }, el('div', { class: 'k' }, k), el('div', { class: 'v' }, v), ...(extra ? [extra] : []));
    let quota = '–';
    let bar = null;
    if (s.quota) {
      const pct = s.quota.limit > 0 ? Math.min(100, (100 * s.quota.used) / s.quota.limit) : 0;
      const per = s.quota.windowMs === 60000 ? 'min' : `${Math.round(s.quota.windowMs / 1000)} s`;
      quota = `${s.quota.used} / ${s.quota.limit} per ${per}`;
      bar = el('div', { class: `quota${pct >= 80 ? ' high' : ''}` }, el('span', { style: `width:${pct.toFixed(1)}%` }));
    }
    const backoff = s.backoffUntil && s.backoffUntil > now() ? ` · retry in ${fmtMs(s.backoffUntil - now())}` : '';
    const card = el(
      'div',
      { class: 'sink', 'data-state': s.state, 'data-sink': s.name },
      el('div', { class: 'sink-head' }, el('span', { class: 'sink-name' }, s.name), pill(s.state), el('span', { class: 'sink-target', title: s.target || '' }, `${s.kind}${s.target ? ` → ${s.target}` : ''}`)),
      el(
        'div',
        { class: 'sink-stats' },
        stat('Pending', `${fmtInt(s.pendingRows)} rows`),
        stat('Lag', s.pendingRows > 0 ? fmtMs(s.lagMs) : 'caught up'),
        stat('Last push', fmtAgo(s.lastPushAt)),
        stat('Quota', quota, bar),
        stat('Errors', `${fmtInt(s.errors)}${s.throttled ? ` · 429 ×${fmtInt(s.throttled)}` : ''}`),
        stat('Rows written', fmtInt(s.rowsWritten)),
      ),
    );
    if (s.lastError) {
      const active = s.failing === true || s.state === 'backoff' || s.state === 'stalled' || s.state === 'failed';
      card.append(
        el('div', { class: `sink-error${active ? '' : ' old'}` }, `${active ? '' : 'recovered · '}${s.lastError.code}: ${s.lastError.message} (${fmtAgo(s.lastError.at)}${active ? backoff : ''})`),
      );
    }
    return card;
  }

  // ---------------------------------------------------------------- devices

  function renderDevices(d) {
    const tbody = document.querySelector('#devices tbody');
    $('devices-count').textContent = d.total ? `${fmtInt(d.total)}` : '';
    $('devices-empty').hidden = d.total > 0;
    document.querySelector('#devices').hidden = d.total === 0;
    const more = $('devices-more');
    more.hidden = d.matched <= d.rows.length && d.matched === d.total;
    more.textContent =
      d.matched === 0 ? 'no device matches the filter' : `showing ${fmtInt(d.rows.length)} of ${fmtInt(d.matched)}${d.matched !== d.total ? ` matching (${fmtInt(d.total)} in all)` : ''} — filter or sort to see others`;
    // Rows are kept per device and updated in place: a busy fleet changes numbers, not structure.
    const rows = d.rows.map((r) => {
      let tr = deviceRows.get(r.id);
      if (!tr) {
        tr = el('tr', { 'data-id': r.id }, ...Array.from({ length: 9 }, (_, i) => el('td', DEVICE_CELL_ATTRS[i])));
        tr.cells[1].append(pill(''));
        deviceRows.set(r.id, tr);
      }
      fillDeviceRow(tr, r);
      return tr;
    });
    const shown = new Set(d.rows.map((r) => r.id));
    for (const id of deviceRows.keys()) if (!shown.has(id)) deviceRows.delete(id);
    const current = [...tbody.rows];
    if (current.length !== rows.length || current.some((tr, i) => tr !== rows[i])) tbody.replaceChildren(...rows);
    syncDeviceSelect(d.rows);
  }

  const deviceRows = new Map();
  const DEVICE_CELL_ATTRS = [null, null, { class: 'wide-only' }, { class: 'wide-only' }, null, { class: 'num' }, { class: 'num' }, { class: 'num' }, { class: 'num' }];

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function fillDeviceRow(tr, r) {
    const c = tr.cells;
    tr.dataset.status = r.status;
    tr.classList.toggle('selected', r.id === state.watch);
    setText(c[0], r.id);
    const p = c[1].firstChild;
    setText(p, r.status);
    p.dataset.s = r.status;
    setText(c[2], r.board || '–');
    c[2].classList.toggle('muted', !r.board);
    setText(c[3], r.fw || '–');
    c[3].classList.toggle('muted', !r.fw);
    if (r.lastSeen === null) delete c[4].dataset.ts;
    else c[4].dataset.ts = String(r.lastSeen);
    c[4].title = r.lastSeen ? new Date(r.lastSeen).toLocaleString() : '';
    setText(c[4], fmtAgo(r.lastSeen));
    setText(c[5], fmtInt(r.readings));
    setText(c[6], fmtInt(r.naks));
    c[6].classList.toggle('bad-num', r.naks > 0);
    c[6].title = r.naks + r.errors ? `${r.naks} NAK, ${r.errors} ERR` : '';
    setText(c[7], fmtMs(r.offsetMs, true));
    c[7].title = r.driftPpm !== null ? `drift ${r.driftPpm.toFixed(1)} ppm` : '';
    setText(c[8], fmtMs(r.rttMs));
  }

  function syncDeviceSelect(rows) {
    const select = $('chart-device');
    const ids = rows.map((r) => r.id);
    if (state.watch && !ids.includes(state.watch)) ids.unshift(state.watch);
    const current = [...select.options].slice(1).map((o) => o.value);
    if (current.join('\u0000') === ids.join('\u0000')) return;
    select.replaceChildren(el('option', { value: '' }, '—'), ...ids.map((id) => el('option', { value: id }, id)));
    select.value = state.watch || '';
  }

  function refreshAges() {
    for (const td of document.querySelectorAll('#devices td[data-ts]')) td.textContent = fmtAgo(Number(td.dataset.ts));
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
    setInterval(refreshAges, 1000);
  }

  function markSorted() {
    for (const th of document.querySelectorAll('#devices th[data-sort]')) {
      th.classList.toggle('sorted', th.dataset.sort === state.view.sort);
      th.classList.toggle('desc', th.dataset.sort === state.view.sort && state.view.desc);
    }
  }

  // For a look from the browser console (and tests): the page's state, read-only by convention.
  window.sheetlog = { state };
  start();
})();
