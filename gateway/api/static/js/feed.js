// The live feed: one WebSocket (/api/v1/live, subprotocol sheetlog.v1), reconnecting with backoff,
// behind the admin token when the gateway asks for one.
import { $ } from './format.js';

const TOKEN_KEY = 'sheetlog.adminToken';

export class Feed {
  /** `handlers`: onOpen(), onHello(msg), onUpdate(msg). */
  constructor(handlers) {
    this.handlers = handlers;
    this.token = sessionStorage.getItem(TOKEN_KEY) || '';
    this.ws = null;
    this.retryMs = 500;
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.tryToken($('token-input').value.trim());
    });
  }

  /** Probes the API (is a token needed?), then connects. */
  async start() {
    let res;
    try {
      res = await fetch('/api/v1/status', { headers: this.authHeaders() });
    } catch {
      setConn('down', 'gateway unreachable — retrying');
      setTimeout(() => void this.start(), 2000);
      return;
    }
    if (res.status === 401 || res.status === 403) return askForToken(res.status === 403);
    this.connect();
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  authHeaders() {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async tryToken(token) {
    this.token = token;
    const res = await fetch('/api/v1/status', { headers: this.authHeaders() });
    if (!res.ok) return askForToken(true);
    sessionStorage.setItem(TOKEN_KEY, this.token);
    $('token-form').hidden = true;
    $('main').hidden = false;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const protocols = ['sheetlog.v1'];
    if (this.token) protocols.push(`bearer.${this.token}`);
    const ws = new WebSocket(`${scheme}//${location.host}/api/v1/live`, protocols);
    this.ws = ws;
    setConn('connecting', 'connecting…');
    ws.onopen = () => {
      this.retryMs = 500;
      setConn('live', 'live');
      this.handlers.onOpen();
    };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg.type === 'hello') this.handlers.onHello(msg);
      else if (msg.type === 'update') this.handlers.onUpdate(msg);
      else if (msg.type === 'error') console.warn('sheetlog feed:', msg.reason);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, 10000);
      setConn('down', `disconnected — retrying in ${Math.round(wait / 1000) || 1} s`);
      setTimeout(() => void this.start(), wait);
    };
  }
}

function askForToken(refused) {
  $('main').hidden = true;
  $('token-form').hidden = false;
  $('token-error').hidden = !refused;
  setConn('down', 'admin token needed');
}

function setConn(s, text) {
  $('conn').dataset.state = s;
  $('conn-text').textContent = text;
}
