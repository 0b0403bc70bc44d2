// Formatting and DOM helpers of the dashboard (pure, no state).

const intFmt = new Intl.NumberFormat('en-US');

export const $ = (id) => document.getElementById(id);

export const fmtInt = (n) => (n === null || n === undefined ? '–' : intFmt.format(Math.round(n)));

/** "just now", "12 s ago", "3 min ago" ... of `ts` as seen at `now` (both epoch ms). */
export function fmtAgo(ts, now) {
  if (ts === null || ts === undefined) return 'never';
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function fmtDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** Milliseconds for people: "12 ms", "+1.5 s", "-2m 05s"; `signed` shows a + on positive values. */
export function fmtMs(ms, signed) {
  if (ms === null || ms === undefined) return '–';
  const sign = signed && ms > 0 ? '+' : '';
  if (Math.abs(ms) < 1000) return `${sign}${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60000) return `${sign}${(ms / 1000).toFixed(1)} s`;
  return `${ms < 0 ? '-' : sign}${fmtDuration(Math.abs(ms))}`;
}

/**
 * A device row's clock as a person means it (docs/API.md, `clock`): the board's error against the
 * gateway, "no clock (uptime stamps)" for a board that keeps none, "–" before any time request.
 */
export function fmtClock(row) {
  if (row.clock === 'board') return fmtMs(row.clockErrorMs, true);
  return row.clock === 'uptime' ? 'no clock (uptime stamps)' : '–';
}

/** "+3.2 ppm": how fast the board's clock runs against the gateway's. */
export function fmtDrift(ppm) {
  if (ppm === null || ppm === undefined) return '–';
  const a = Math.abs(ppm);
  return `${ppm < 0 ? '-' : '+'}${a < 10 ? a.toFixed(1) : Math.round(a)} ppm`;
}

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function fmtRate(n) {
  if (n >= 100) return fmtInt(n);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(n === 0 ? 0 : 2);
}

/** An element with attributes (null/undefined ones left out) and children (text or nodes). */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export const pill = (s) => el('span', { class: 'pill', 'data-s': s }, s);

/** Sets text only when it changed (no layout work for unchanged cells). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
