import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The dashboard's files, read once at start into memory: only files that exist under the static
 * directory can be served, so no request path can reach anything else.
 */
export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  static load(dir = staticDir()): StaticAssets {
    const s = new StaticAssets();
    for (const file of walk(dir)) {
      const type = TYPES[extname(file)];
      if (type === undefined) continue;
      const body = readFileSync(file);
      const url = `/${relative(dir, file).split(sep).join('/')}`;
      s.assets.set(url, { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
    }
    const index = s.assets.get('/index.html');
    if (index) s.assets.set('/', index);
    return s;
  }

  get(path: string): Asset | undefined {
    return this.assets.get(path);
  }
}

/** gateway/api/static, from the sources (tsx) or from dist/ (compiled; the sources ship too). */
export function staticDir(): string {
  const here = fileURLToPath(new URL('./static', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../../gateway/api/static', import.meta.url));
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}
