import { existsSync, readFileSync } from 'node:fs';

/** sheetlog's version from its package.json, found from the sources or from dist/. */
export function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'sheetlog' && typeof pkg.version === 'string') return pkg.version;
  }
  return '0.0.0-unknown';
}
