// The live tail: the newest rows exactly as the first sink writes them.
import { $, el } from './format.js';

export class Tail {
  constructor() {
    this.tbody = document.querySelector('#tail tbody');
    this.max = 50;
  }

  /** From the feed's hello: the sink's columns and how many rows to keep. */
  reset(columns, max) {
    this.max = max;
    document.querySelector('#tail thead tr').replaceChildren(...columns.map((c) => el('th', null, c)));
    this.tbody.replaceChildren();
    $('tail-empty').hidden = false;
  }

  add(rows) {
    const frag = document.createDocumentFragment();
    // The first batch after (re)connecting is history, and a flood is no news: only a trickle flashes.
    const flash = this.tbody.rows.length > 0 && rows.length <= 10 ? 'fresh' : null;
    for (let i = rows.length - 1; i >= 0; i--) {
      frag.append(el('tr', { class: flash }, ...rows[i].map((c) => el('td', null, c === null ? '' : String(c)))));
    }
    this.tbody.prepend(frag);
    while (this.tbody.rows.length > this.max) this.tbody.lastElementChild.remove();
    $('tail-empty').hidden = this.tbody.rows.length > 0;
  }
}
