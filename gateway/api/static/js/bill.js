import { $, el, setText } from './format.js';

/** How often the month-to-date bill of the charted device is fetched again. */
const REFRESH_MS = 60_000;

/**
 * The month-to-date bill of the charted device (GET /api/v1/devices/:id/bill): consumption, cost
 * so far and the tier reached. Hidden when billing is not configured (BILLING_OFF) or no device
 * is charted.
 */
export class BillPanel {
  /**
   * @param {() => Record<string, string>} headers the feed's auth headers
   * @param {() => boolean} enabled whether the gateway bills (its hello says so)
   */
  constructor(headers, enabled) {
    this.headers = headers;
    this.enabled = enabled;
    this.device = null;
    this.timer = null;
    this.panel = $('bill-panel');
  }

  show(device) {
    if (!this.enabled()) device = null;
    if (device === this.device) return;
    this.device = device;
    clearInterval(this.timer);
    this.timer = null;
    if (!device) {
      this.panel.hidden = true;
      return;
    }
    void this.load();
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
  }

  /** Shows `device` afresh (after a reconnect: billing may have been switched on or off). */
  reset(device) {
    this.device = undefined;
    this.show(device);
  }

  async load() {
    const device = this.device;
    let body;
    try {
      const res = await fetch(`/api/v1/devices/${encodeURIComponent(device)}/bill`, { headers: this.headers() });
      body = await res.json();
    } catch {
      return; // the next refresh tries again
    }
    if (device !== this.device) return;
    if (body.status !== 'ok') {
      this.panel.hidden = true;
      return;
    }
    this.render(body.result);
  }

  render(b) {
    this.panel.hidden = false;
    const money = (v) => `${v.toFixed(2)} ${b.currency}`;
    setText($('bill-title'), `${b.device} · ${b.month}${b.final ? ' (final)' : ' (month to date)'}`);
    setText($('bill-consumption'), `${b.consumption} ${b.unit}`);
    setText($('bill-cost'), money(b.total));
    const top = b.tiers[b.tierReached - 1];
    setText($('bill-tier'), top ? `${b.tierReached} of ${b.tiers.length} (${top.price} ${b.currency}/${b.unit})` : '–');
    const rows = b.tiers.map((t) => el('tr', null, el('td', null, `tier ${t.tier}`), el('td', null, `${t.from}–${t.to ?? '∞'} ${b.unit}`), el('td', null, `${t.quantity}`), el('td', null, money(t.cost))));
    $('bill-tiers').replaceChildren(...rows, el('tr', null, el('td', null, 'fixed'), el('td'), el('td'), el('td', null, money(b.fixedCharge))));
  }
}
