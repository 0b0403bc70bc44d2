import type { FleetReport } from './run.js';

/** The final summary as text (pure; the CLI prints it). */
export function formatSummary(report: FleetReport, heading: string): string {
  const { snapshot: s, latency: l, helloLatency: h } = report;
  const t = s.totals;
  const row = (label: string, value: string | number, note = '') => `  ${label.padEnd(20)}${String(value).padStart(10)}${note ? `   ${note}` : ''}`;
  const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
  const codes = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const lines = [
    `${heading} (${(s.elapsedMs / 1000).toFixed(1)} s, ${s.devices} devices, ended by ${report.endedBy})`,
    row('readings taken', t.taken),
    row('sent', t.sent, t.resent ? `resent ${t.resent} after reconnects` : ''),
    row('acknowledged', t.acked, t.ackedAtHello ? `${t.ackedAtHello} of them confirmed by HELLO OK` : ''),
    row('NAKed', t.naked, Object.keys(t.naks).length ? codes(t.naks) : ''),
    row('dropped (overflow)', t.droppedOverflow, t.droppedOverflow ? 'ring buffer full while offline (device-side, like real boards)' : ''),
    row('unacknowledged', s.pending, s.pending ? `still buffered on ${s.pendingBoards.holding} boards (${s.pendingBoards.waiting} waiting to reconnect), not lost` : 'still buffered on boards'),
    row('lost', report.store ? report.lost : '-', report.store ? 'expected 0 (acknowledged, then missing from the store)' : 'not checked (give --check-db)'),
    row('reconnects', s.reconnects, `link drops ${t.linkDrops}, storms ${s.storms}, BUSY ${t.busy}, gateway BYE ${t.gatewayByes}`),
    row('ACK latency p50', ms(l.p50), `p90 ${ms(l.p90)}, p99 ${ms(l.p99)}, max ${ms(l.max)}, n=${l.count}`),
    row('HELLO OK after p50', ms(h.p50), `p99 ${ms(h.p99)}, max ${ms(h.max)}, n=${h.count} sessions`),
  ];
  if (t.garbageSent > 0) {
    lines.push(
      row('garbage sent', t.garbageSent, `answered as specified ${t.garbageAnswered}, other code ${t.garbageMismatched}, accepted ${t.garbageAccepted}, unanswered ${t.garbageUnanswered}`),
    );
    for (const [what, n] of Object.entries(t.garbageMismatches)) lines.push(`      ${n} x ${what}`);
  }
  if (Object.keys(t.errors).length) lines.push(row('ERR received', Object.values(t.errors).reduce((a, b) => a + b, 0), codes(t.errors)));
  if (t.protocolViolations) lines.push(row('protocol violations', t.protocolViolations, 'gateway lines that match nothing sent'));
  if (report.audit) {
    const failed = report.audit.failures;
    lines.push(row('audit', report.audit.checked, failed.length ? `${failed.length} FAILED, e.g. ${failed[0]?.deviceId}: ${failed[0]?.reason}` : 'boards re-checked via HELLO OK, all OK'));
  }
  if (report.store) {
    const st = report.store;
    lines.push(row('store check', st.checked, `missing ${st.missing}, duplicates ${st.duplicates}, pruned ${st.pruned}${st.missingSamples.length ? `, e.g. ${st.missingSamples.join(' ')}` : ''}`));
  }
  lines.push(report.ok ? 'result: OK' : `result: ${report.incomplete ? 'INCOMPLETE (readings still on boards)' : 'FAILED'}\n${report.problems.map((p) => `  - ${p}`).join('\n')}`);
  return `${lines.join('\n')}\n`;
}
