// The sensor panel: the watched device's numeric fields charted live, its details, and the two
// pickers. Which device and sensor are chosen is the page's (app.js keeps them in the URL).
import { $, el, fmtClock, fmtDrift, fmtInt, fmtMs } from './format.js';
import { makeChart, numericValue } from './charts.js';

const SENSOR_POINTS = 600;

export class SensorPanel {
  constructor() {
    this.device = null;
    /** The sensor asked for (URL or picker); shown once the device has sent it. */
    this.wanted = '';
    this.sensor = '';
    this.points = [];
    this.chart = null;
  }

  /** Chooses the device and sensor; the points of another device are dropped. */
  select(device, sensor) {
    if (device !== this.device) this.points = [];
    this.device = device;
    this.wanted = sensor;
    $('chart-device').value = device || '';
  }

  /** Chart points from an update (`null`: nothing watched). */
  add(c) {
    if (c === null) {
      this.points = [];
    } else if (c.device === this.device) {
      if (c.reset) this.points = [];
      for (const p of c.points) this.points.push(p);
      if (this.points.length > SENSOR_POINTS) this.points.splice(0, this.points.length - SENSOR_POINTS);
    }
  }

  /** The numeric fields seen, sorted. */
  sensors() {
    const names = new Set();
    for (const [, fields] of this.points) for (const [k, v] of Object.entries(fields)) if (numericValue(v) !== null) names.add(k);
    return [...names].sort();
  }

  /** Draws; returns the sensor shown ('' when none), which may differ from the one asked for. */
  render() {
    const names = this.sensors();
    const select = $('chart-sensor');
    if (names.join('\u0000') !== [...select.options].map((o) => o.value).join('\u0000')) {
      select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    }
    this.sensor = names.includes(this.wanted) ? this.wanted : names[0] || '';
    select.value = this.sensor;
    const show = this.device !== null && this.sensor !== '';
    $('sensor-empty').hidden = show;
    $('sensor-empty').textContent =
      this.device === null ? 'Pick a device (or click a row in the table) to chart its sensors live.' : `No numeric readings from ${this.device} yet.`;
    $('sensor-chart').hidden = !show;
    if (!show) return this.sensor;
    this.chart ??= makeChart($('sensor-chart'), [{ label: 'value', stroke: '#0f766e', fill: 'rgba(15,118,110,0.10)', width: 2 }]);
    const xs = [];
    const ys = [];
    for (const [ts, fields] of this.points) {
      const v = numericValue(fields[this.sensor]);
      if (v === null) continue;
      xs.push(ts / 1000);
      ys.push(v);
    }
    this.chart.setData([xs, ys]);
    return this.sensor;
  }

  /** The device list of the picker: the table's page, plus the watched device wherever it is. */
  syncDevices(rows) {
    const select = $('chart-device');
    const ids = rows.map((r) => r.id);
    if (this.device && !ids.includes(this.device)) ids.unshift(this.device);
    const current = [...select.options].slice(1).map((o) => o.value);
    if (current.join('\u0000') !== ids.join('\u0000')) {
      select.replaceChildren(el('option', { value: '' }, '—'), ...ids.map((id) => el('option', { value: id }, id)));
    }
    select.value = this.device || '';
  }

  /**
   * The watched device's details under the chart: what the table leaves out on a phone (board,
   * firmware, NAKs, clock, round trip).
   */
  details(row) {
    const box = $('device-detail');
    box.hidden = row === null;
    if (row === null) return;
    const parts = [
      row.board && `board ${row.board}`,
      row.fw && `fw ${row.fw}`,
      `${fmtInt(row.readings)} readings`,
      `${fmtInt(row.naks)} NAK${row.errors ? ` · ${fmtInt(row.errors)} ERR` : ''}`,
      `clock ${fmtClock(row)}`,
      row.driftPpm !== null && `drift ${fmtDrift(row.driftPpm)}`,
      row.rttMs !== null && `RTT ${fmtMs(row.rttMs)}`,
    ];
    box.textContent = parts.filter(Boolean).join(' · ');
  }
}
