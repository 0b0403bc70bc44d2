// The sync panel: one card per sink, with its recent writes (remembered from the updates this page
// saw), quarantined rows and warnings when the gateway reports them.
import { el, fmtAgo, fmtInt, fmtMs, pill } from './format.js';

const RECENT_WRITES = 8;

export class SinkPanel {
  constructor(box, hint) {
    this.box = box;
    this.hint = hint;
    /** sink name → { written, writes: [{ at, n }] } */
    this.history = new Map();
  }

  /** Notes what each sink wrote since the previous update (call for every update). */
  observe(sinks, now) {
    for (const s of sinks) {
      const h = this.history.get(s.name);
      if (!h) {
        this.history.set(s.name, { written: s.rowsWritten, writes: [] });
        continue;
      }
      if (s.rowsWritten > h.written) {
        h.writes.unshift({ at: s.lastPushAt ?? now, n: s.rowsWritten - h.written });
        h.writes.length = Math.min(h.writes.length, RECENT_WRITES);
      }
      h.written = s.rowsWritten;
    }
  }

  render(sinks, status, now) {
    this.hint.textContent = sinks.length ? `${sinks.length} sink${sinks.length > 1 ? 's' : ''}` : '';
    if (sinks.length === 0) {
      this.box.replaceChildren(
        el('div', { class: 'empty' }, el('strong', null, 'No sink is running.'), ` Rows wait safely in the local buffer (${fmtInt(status.buffer.highestId)} stored) until one takes them.`),
      );
      return;
    }
    this.box.replaceChildren(...sinks.map((s) => this.card(s, now)));
  }

  card(s, now) {
    const card = el(
      'div',
      { class: 'sink', 'data-state': s.state, 'data-sink': s.name },
      el('div', { class: 'sink-head' }, el('span', { class: 'sink-name' }, s.name), pill(s.state), el('span', { class: 'sink-target', title: s.target || '' }, `${s.kind}${s.target ? ` → ${s.target}` : ''}`)),
      stats(s, now),
    );
    for (const w of s.warnings ?? []) card.append(el('div', { class: 'sink-warning', role: 'alert' }, w));
    if (s.lastError) card.append(errorBox(s, now));
    card.append(this.recent(s, now));
    return card;
  }

  recent(s, now) {
    const writes = this.history.get(s.name)?.writes ?? [];
    const box = el('div', { class: 'sink-recent' }, el('div', { class: 'k' }, 'Recent writes'));
    if (writes.length === 0) {
      box.append(el('div', { class: 'muted' }, s.lastPushAt ? `last ${fmtAgo(s.lastPushAt, now)}; new ones appear here as they happen` : 'none yet'));
      return box;
    }
    const max = Math.max(...writes.map((w) => w.n));
    box.append(
      el(
        'ol',
        null,
        ...writes.map((w) =>
          el(
            'li',
            null,
            el('span', { class: 'when', title: new Date(w.at).toLocaleString() }, fmtAgo(w.at, now)),
            el('span', { class: 'bar' }, el('i', { style: `width:${Math.max(3, (100 * w.n) / max).toFixed(0)}%` })),
            el('span', { class: 'n' }, `${fmtInt(w.n)} reading${w.n === 1 ? '' : 's'}`),
          ),
        ),
      ),
    );
    return box;
  }
}

function stats(s, now) {
  const stat = (k, v, extra, cls) => el('div', { class: `stat${cls ? ` ${cls}` : ''}` }, el('div', { class: 'k' }, k), el('div', { class: 'v' }, v), ...(extra ? [extra] : []));
  let quota = '–';
  let bar = null;
  if (s.quota) {
    const pct = s.quota.limit > 0 ? Math.min(100, (100 * s.quota.used) / s.quota.limit) : 0;
    const per = s.quota.windowMs === 60000 ? 'min' : `${Math.round(s.quota.windowMs / 1000)} s`;
    quota = `${s.quota.used} / ${s.quota.limit} per ${per}`;
    bar = el('div', { class: `quota${pct >= 80 ? ' high' : ''}` }, el('span', { style: `width:${pct.toFixed(1)}%` }));
  }
  const list = [
    stat('Pending', `${fmtInt(s.pendingRows)} rows`),
    stat('Lag', s.pendingRows > 0 ? fmtMs(s.lagMs) : 'caught up'),
    stat('Last push', fmtAgo(s.lastPushAt, now)),
    stat('Quota', quota, bar),
    stat('Errors', `${fmtInt(s.errors)}${s.throttled ? ` · 429 ×${fmtInt(s.throttled)}` : ''}`),
    // rowsWritten counts readings: a sheet in the long layout has a row per field of each.
    stat('Readings written', fmtInt(s.rowsWritten)),
  ];
  if (typeof s.quarantinedRows === 'number') list.push(stat('Quarantined', `${fmtInt(s.quarantinedRows)} rows`, null, s.quarantinedRows > 0 ? 'bad' : ''));
  return el('div', { class: 'sink-stats' }, ...list);
}

function errorBox(s, now) {
  // A failure the sink is still in is red; one it recovered from stays visible, greyed.
  const active = s.failing === true || s.state === 'backoff' || s.state === 'stalled' || s.state === 'failed';
  const backoff = s.backoffUntil && s.backoffUntil > now ? ` · retry in ${fmtMs(s.backoffUntil - now)}` : '';
  return el('div', { class: `sink-error${active ? '' : ' old'}` }, `${active ? '' : 'recovered · '}${s.lastError.code}: ${s.lastError.message} (${fmtAgo(s.lastError.at, now)}${active ? backoff : ''})`);
}
