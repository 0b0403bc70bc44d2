// The fleet cards, the top bar and the footer, from the status and fleet counts of an update.
import { $, fmtBytes, fmtDuration, fmtInt, fmtRate } from './format.js';

export function renderStatus(s, f, silentAfterMs) {
  $('f-connected').textContent = fmtInt(f.connected);
  $('f-connected-sub').textContent = `${fmtInt(s.ingest.connections)} TCP connections`;
  $('f-seen').textContent = fmtInt(f.seen);
  $('f-seen-sub').textContent = `of ${fmtInt(f.total)} registered${f.revoked ? `, ${fmtInt(f.revoked)} revoked` : ''}`;
  $('f-silent').textContent = fmtInt(f.silent);
  $('f-silent-sub').textContent = `quiet > ${fmtDuration(silentAfterMs)}${f.never ? ` · ${fmtInt(f.never)} never seen` : ''}`;
  $('f-rate').textContent = fmtRate(s.ingest.rates.last10s);
  $('f-rate-sub').textContent = `10 s mean · ${fmtInt(s.ingest.readingsStored)} stored`;
  $('f-buffer').textContent = fmtInt(s.buffer.rows);
  const pct = s.buffer.maxRows > 0 ? (100 * s.buffer.rows) / s.buffer.maxRows : 0;
  $('f-buffer-sub').textContent = `rows unsynced · ${pct < 1 && pct > 0 ? '<1' : Math.round(pct)}% of limit · ${fmtBytes(s.buffer.bytes)}`;
  // Degraded (disk full, buffer full): the card says why boards are told BUSY.
  const degraded = s.health && s.health.health !== 'ok';
  $('f-buffer').closest('.card').dataset.state = degraded ? 'degraded' : '';
  if (degraded) $('f-buffer-sub').textContent = s.health.reasons.map((r) => r.message).join(' · ');
  const tcp = s.listeners.tcp;
  const http = s.listeners.http;
  $('meta').textContent = `up ${fmtDuration(s.uptimeMs)} · boards on TCP :${tcp ? tcp.port : '?'} · auth ${s.auth}`;
  $('foot-listeners').textContent = [tcp && `TCP ${tcp.host}:${tcp.port}`, http && `HTTP ${http.host}:${http.port}`].filter(Boolean).join(' · ');
  if (tcp) $('fleet-cmd').textContent = `npm run fleet -- --devices 20 --rate 1 --gateway 127.0.0.1:${tcp.port}`;
}
