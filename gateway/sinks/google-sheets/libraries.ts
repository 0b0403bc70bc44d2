import type { SheetsLibrary } from './api.js';
import type { AuthLibrary } from './auth-client.js';

/** The two Google client libraries a Sheets client is built from. */
export interface GoogleLibraries {
  auth: AuthLibrary;
  sheets: SheetsLibrary;
}

/**
 * Imports google-auth-library and @googleapis/sheets (~170 ms together). Only the code that builds
 * a Sheets client calls it (the sink's and the summary tabs' connect(), `auth check`), each
 * instance keeping the promise, so a gateway that does not write to Google Sheets (the CSV sink)
 * never loads them. A missing or broken library rejects here, where the client is built.
 */
export async function loadGoogleLibraries(): Promise<GoogleLibraries> {
  const auth = await import('google-auth-library');
  const sheets = await import('@googleapis/sheets');
  return { auth, sheets };
}
