// The page's selection lives in its URL (?device=<id>&sensor=<field>): a link opens the same chart,
// and the back button steps through earlier selections.

/** `{ device, sensor }` from the address bar (device null and sensor '' when absent). */
export function readRoute() {
  const q = new URLSearchParams(location.search);
  return { device: q.get('device') || null, sensor: q.get('sensor') || '' };
}

/**
 * Puts the selection into the URL. A person's choice pushes a history entry (back undoes it);
 * `replace` only corrects the current one (a sensor picked for them, a device that went away).
 */
export function writeRoute({ device, sensor }, { replace = false } = {}) {
  const q = new URLSearchParams(location.search);
  const set = (k, v) => (v ? q.set(k, v) : q.delete(k));
  set('device', device);
  set('sensor', device ? sensor : '');
  const search = q.toString();
  const url = `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
  if (url === `${location.pathname}${location.search}${location.hash}`) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
}

/** Calls `fn(route)` when the person goes back or forward. */
export function onRouteChange(fn) {
  window.addEventListener('popstate', () => fn(readRoute()));
}
