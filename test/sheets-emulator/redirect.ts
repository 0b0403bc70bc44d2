// Points google-auth-library's service-account token exchange at the emulator.
//
// The library's JWT client (and GoogleAuth with a service-account key) POSTs its jwt-bearer
// grant to the hard-coded https://oauth2.googleapis.com/token, ignoring the key file's
// token_uri. It sends that request through the client's own `transporter` (a Gaxios
// instance), so a request interceptor on that transporter can send it elsewhere. The same
// few lines belong in production code that must reach an emulator; see README.md.

import { GOOGLE_TOKEN_URL } from './auth.js';

/** The part of an AuthClient this needs: its Gaxios transporter's request interceptors. */
export interface InterceptableClient<O extends { url?: unknown }> {
  transporter: { interceptors: { request: { add(interceptor: { resolved?: (options: O) => Promise<O> }): unknown } } };
}

/** Rewrites requests for Google's token URL to `tokenUrl`; every other request passes untouched. */
export function redirectTokenRequests<O extends { url?: unknown }>(client: InterceptableClient<O>, tokenUrl: string): void {
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (String(options.url) === GOOGLE_TOKEN_URL) (options as { url?: unknown }).url = new URL(tokenUrl);
      return options;
    },
  });
}
