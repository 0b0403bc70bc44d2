// The sync panel: one card per sink.
import { el, fmtAgo, fmtInt, fmtMs, pill } from './format.js';

export function renderSinks(box, hint, sinks, status, now) {
  hint.textContent = sinks.length ? `${sinks.length} sink${sinks.length > 1 ? 's' : ''}` : '';
  if (sinks.length === 0) {
    box.replaceChildren(
      el('div', { class: 'empty' }, el('strong', null, 'No sink is running.'), ` Rows wait safely in the local buffer (${fmtInt(status.buffer.highestId)} stored) until one takes them.`),
    );
    return;
  }
  box.replaceChildren(...sinks.map((s) => sinkCard(s, now)));
}

function sinkCard(s, now) {
  const stat = (k, v, extra) => el('div', { class: 'stat' }, el('div', { class: 'k' }, k), el('div', { class: 'v' }, v), ...(extra ? [extra] : []));
  let quota = '–';
  let bar = null;
  if (s.quota) {
    const pct = s.quota.limit > 0 ? Math.min(100, (100 * s.quota.used) / s.quota.limit) : 0;
    const per = s.quota.windowMs === 60000 ? 'min' : `${Math.round(s.quota.windowMs / 1000)} s`;
    quota = `${s.quota.used} / ${s.quota.limit} per ${per}`;
    bar = el('div', { class: `quota${pct >= 80 ? ' high' : ''}` }, el('span', { style: `width:${pct.toFixed(1)}%` }));
  }
  const backoff = s.backoffUntil && s.backoffUntil > now ? ` · retry in ${fmtMs(s.backoffUntil - now)}` : '';
  const card = el(
    'div',
    { class: 'sink', 'data-state': s.state, 'data-sink': s.name },
    el('div', { class: 'sink-head' }, el('span', { class: 'sink-name' }, s.name), pill(s.state), el('span', { class: 'sink-target', title: s.target || '' }, `${s.kind}${s.target ? ` → ${s.target}` : ''}`)),
    el(
      'div',
      { class: 'sink-stats' },
      stat('Pending', `${fmtInt(s.pendingRows)} rows`),
      stat('Lag', s.pendingRows > 0 ? fmtMs(s.lagMs) : 'caught up'),
      stat('Last push', fmtAgo(s.lastPushAt, now)),
      stat('Quota', quota, bar),
      stat('Errors', `${fmtInt(s.errors)}${s.throttled ? ` · 429 ×${fmtInt(s.throttled)}` : ''}`),
      stat('Rows written', fmtInt(s.rowsWritten)),
    ),
  );
  if (s.lastError) {
    // A failure the sink is still in is red; one it recovered from stays visible, greyed.
    const active = s.failing === true || s.state === 'backoff' || s.state === 'stalled' || s.state === 'failed';
    card.append(
      el('div', { class: `sink-error${active ? '' : ' old'}` }, `${active ? '' : 'recovered · '}${s.lastError.code}: ${s.lastError.message} (${fmtAgo(s.lastError.at, now)}${active ? backoff : ''})`),
    );
  }
  return card;
}
