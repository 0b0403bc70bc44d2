import { isIP } from 'node:net';

/**
 * Which `Host` and `Origin` headers the HTTP API accepts (pure). Two attacks are closed here:
 *
 * - DNS rebinding: a page from evil.example makes its name resolve to 127.0.0.1 and reads the API
 *   as "same origin". Its requests still carry `Host: evil.example`, so only names the gateway is
 *   known by are served: loopback names, IP literals (a rebinding page cannot make the browser send
 *   an IP literal for its own name), the machine's host name (and `<name>.local`), the configured
 *   bind address, and `http.allowedHosts`.
 * - Cross-origin reads of the live feed: browsers do not apply the same-origin policy to WebSocket
 *   upgrades, so a foreign page could open `ws://127.0.0.1:8080/api/v1/live`. A request that carries
 *   an `Origin` must come from the dashboard's own origin (same host and port as `Host`) or from
 *   `http.allowedOrigins`. Requests without `Origin` (curl, scripts, same-origin navigation) pass.
 */
export interface OriginPolicySettings {
  /** The address the server binds to (a name there is allowed as Host). */
  bindHost: string;
  /** This machine's host name (os.hostname()). */
  machineName: string;
  /** Extra Host names; `*` allows any. */
  allowedHosts: readonly string[];
  /** Extra origins (`https://dash.example:8443`); `*` allows any. */
  allowedOrigins: readonly string[];
}

export type OriginVerdict = { ok: true } | { ok: false; code: 'HOST_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED'; message: string };

export class OriginPolicy {
  private readonly hosts: ReadonlySet<string>;
  private readonly anyHost: boolean;
  private readonly origins: ReadonlySet<string>;
  private readonly anyOrigin: boolean;

  constructor(settings: OriginPolicySettings) {
    const names = [settings.bindHost, settings.machineName, `${settings.machineName}.local`, ...settings.allowedHosts];
    this.hosts = new Set(names.map((n) => n.toLowerCase()).filter((n) => n !== ''));
    this.anyHost = settings.allowedHosts.includes('*');
    this.origins = new Set(settings.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')));
    this.anyOrigin = settings.allowedOrigins.includes('*');
  }

  check(hostHeader: string | undefined, originHeader: string | undefined): OriginVerdict {
    if (hostHeader === undefined || hostHeader === '') return { ok: false, code: 'HOST_NOT_ALLOWED', message: 'a request needs a Host header' };
    const host = hostName(hostHeader);
    if (!this.anyHost && !this.hostAllowed(host)) {
      return { ok: false, code: 'HOST_NOT_ALLOWED', message: `Host ${JSON.stringify(hostHeader)} is not a name of this gateway; add it to http.allowedHosts if it is` };
    }
    if (originHeader === undefined || this.anyOrigin) return { ok: true };
    const origin = originHeader.toLowerCase();
    if (this.origins.has(origin) || sameOrigin(origin, hostHeader)) return { ok: true };
    return { ok: false, code: 'ORIGIN_NOT_ALLOWED', message: `requests from origin ${JSON.stringify(originHeader)} are refused; add it to http.allowedOrigins to allow it` };
  }

  private hostAllowed(host: string): boolean {
    return isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost') || this.hosts.has(host);
  }
}

/** The name part of a Host header: `[::1]:8080` → `::1`, `Example.COM:80` → `example.com`. */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** `Origin: http://host:port` names the same host and port as the Host header (scheme http or https). */
function sameOrigin(origin: string, hostHeader: string): boolean {
  const o = parseUrl(origin);
  if (o === null || (o.protocol !== 'http:' && o.protocol !== 'https:')) return false;
  // The Host header read with the origin's scheme, so that default ports compare equal (`x:80` and `http://x`).
  const h = parseUrl(`${o.protocol}//${hostHeader.trim()}`);
  return h !== null && h.host === o.host;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
