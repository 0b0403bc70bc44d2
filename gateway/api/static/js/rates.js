// The ingest chart: accepted and NAKed readings per second, the last five minutes.
import { $ } from './format.js';
import { makeChart } from './charts.js';

const RATE_POINTS = 300;

export class RateChart {
  constructor() {
    this.chart = null;
    this.reset();
  }

  /** A reconnect starts the stream afresh. */
  reset() {
    this.data = { t: [], accepted: [], naks: [] };
  }

  /** Per-second samples `[t, accepted, naks]`; true when there is something new to draw. */
  add(samples) {
    const r = this.data;
    for (const [t, a, n] of samples) {
      r.t.push(t / 1000);
      r.accepted.push(a);
      r.naks.push(n);
    }
    const extra = r.t.length - RATE_POINTS;
    if (extra > 0) for (const k of ['t', 'accepted', 'naks']) r[k].splice(0, extra);
    return samples.length > 0;
  }

  draw() {
    $('rate-empty').hidden = true;
    this.chart ??= makeChart(
      $('rate-chart'),
      [
        { label: 'accepted/s', stroke: '#6366f1', fill: 'rgba(99,102,241,0.12)', width: 2 },
        { label: 'NAK/s', stroke: '#dc2626', width: 1.5 },
      ],
      { windowSeconds: RATE_POINTS, fromZero: true },
    );
    this.chart.setData([this.data.t, this.data.accepted, this.data.naks]);
  }
}
