// The table's filter and sort headers, row clicks and the chart's pickers: they report the
// person's choices; app.js decides what follows.
import { $ } from './format.js';

/**
 * `on`: view(patch) for filter and sort, pick(deviceId | null) for a row or the device picker,
 * sensor(name) for the sensor picker. `current()` returns the view and the watched device.
 */
export function wireControls(on, current) {
  let timer = null;
  $('device-filter').addEventListener('input', (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => on.view({ filter: e.target.value.slice(0, 64) }), 200);
  });
  for (const th of document.querySelectorAll('#devices th[data-sort]')) {
    th.addEventListener('click', () => {
      const { view } = current();
      const sort = th.dataset.sort;
      const desc = view.sort === sort ? !view.desc : th.hasAttribute('data-desc');
      on.view({ sort, desc });
    });
  }
  document.querySelector('#devices tbody').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-id]');
    if (tr) on.pick(tr.dataset.id === current().watch ? null : tr.dataset.id);
  });
  $('chart-device').addEventListener('change', (e) => on.pick(e.target.value || null));
  $('chart-sensor').addEventListener('change', (e) => on.sensor(e.target.value));
}

/** Marks the sorted column header. */
export function markSorted(view) {
  for (const th of document.querySelectorAll('#devices th[data-sort]')) {
    th.classList.toggle('sorted', th.dataset.sort === view.sort);
    th.classList.toggle('desc', th.dataset.sort === view.sort && view.desc);
  }
}
