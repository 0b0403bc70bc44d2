/**
 * Matches a method and path against route patterns like `/api/v1/devices/:id` (pure). A path that
 * matches some route with another method is reported, so the server can answer 405 with `Allow`.
 */
export interface Route<T> {
  method: string;
  path: string;
  target: T;
}

export type RouteMatch<T> =
  | { kind: 'found'; target: T; params: Record<string, string> }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

interface Compiled<T> {
  method: string;
  segments: string[];
  target: T;
}

export class Router<T> {
  private readonly routes: Compiled<T>[];

  constructor(routes: readonly Route<T>[]) {
    this.routes = routes.map((r) => ({ method: r.method, segments: split(r.path), target: r.target }));
  }

  match(method: string, path: string): RouteMatch<T> {
    const parts = split(path);
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === null) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { kind: 'found', target: route.target, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'wrong-method', allow } : { kind: 'none' };
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const part = parts[i] as string;
    if (p.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return null;
      }
      params[p.slice(1)] = value;
    } else if (p !== part) {
      return null;
    }
  }
  return params;
}
