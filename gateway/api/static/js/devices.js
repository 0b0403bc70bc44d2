// The device table: the page of rows the gateway sends, kept per device and updated in place.
import { $, el, fmtAgo, fmtClock, fmtDrift, fmtInt, fmtMs, pill, setText } from './format.js';

// The columns narrow screens drop (style.css): board and firmware first, then clock and RTT, then
// NAKs; id, status, last seen and readings always fit. The sensor panel shows the rest.
const CELL_ATTRS = [
  { class: 'id' },
  null,
  { class: 'wide-only' },
  { class: 'wide-only' },
  null,
  { class: 'num' },
  { class: 'num roomy' },
  { class: 'num mid-only' },
  { class: 'num mid-only' },
];

export class DeviceTable {
  constructor(table) {
    this.table = table;
    this.tbody = table.tBodies[0];
    this.rows = new Map();
  }

  /** Shows a page `{ total, matched, rows }`; `watch` is the charted device, `now` the gateway's time. */
  render(d, watch, now) {
    $('devices-count').textContent = d.total ? `${fmtInt(d.total)}` : '';
    $('devices-empty').hidden = d.total > 0;
    this.table.hidden = d.total === 0;
    const more = $('devices-more');
    more.hidden = d.matched <= d.rows.length && d.matched === d.total;
    more.textContent =
      d.matched === 0 ? 'no device matches the filter' : `showing ${fmtInt(d.rows.length)} of ${fmtInt(d.matched)}${d.matched !== d.total ? ` matching (${fmtInt(d.total)} in all)` : ''} — filter or sort to see others`;
    // A busy fleet changes numbers, not structure: rows are reused, cells written only when changed.
    const trs = d.rows.map((r) => {
      let tr = this.rows.get(r.id);
      if (!tr) {
        tr = el('tr', { 'data-id': r.id }, ...CELL_ATTRS.map((attrs) => el('td', attrs)));
        tr.cells[1].append(pill(''));
        this.rows.set(r.id, tr);
      }
      fill(tr, r, watch, now);
      return tr;
    });
    const shown = new Set(d.rows.map((r) => r.id));
    for (const id of this.rows.keys()) if (!shown.has(id)) this.rows.delete(id);
    const current = [...this.tbody.rows];
    if (current.length !== trs.length || current.some((tr, i) => tr !== trs[i])) this.tbody.replaceChildren(...trs);
  }

  select(watch) {
    for (const tr of this.tbody.rows) tr.classList.toggle('selected', tr.dataset.id === watch);
  }

  /** "… ago" cells age between updates. */
  refreshAges(now) {
    for (const td of this.tbody.querySelectorAll('td[data-ts]')) setText(td, fmtAgo(Number(td.dataset.ts), now));
  }
}

function fill(tr, r, watch, now) {
  const c = tr.cells;
  tr.dataset.status = r.status;
  tr.classList.toggle('selected', r.id === watch);
  setText(c[0], r.id);
  c[0].title = r.id;
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
  setText(c[4], fmtAgo(r.lastSeen, now));
  setText(c[5], fmtInt(r.readings));
  setText(c[6], fmtInt(r.naks));
  c[6].classList.toggle('bad-num', r.naks > 0);
  c[6].title = r.naks + r.errors ? `${r.naks} NAK, ${r.errors} ERR` : '';
  setText(c[7], fmtClock(r));
  c[7].classList.toggle('muted', r.clock !== 'board');
  c[7].title = r.clock === 'board' ? `the board's clock minus the gateway's${r.driftPpm !== null ? `; drift ${fmtDrift(r.driftPpm)}` : ''}` : '';
  setText(c[8], fmtMs(r.rttMs));
}
