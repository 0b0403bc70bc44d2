// Google's field-mask syntax, used both by the `fields` query parameter (partial responses)
// and by batchUpdate requests (`fields: "userEnteredFormat.textFormat.bold"`).
//   mask := item ("," item)*      item := "*" | name (("." | "/") name)* ["(" mask ")"]

import { invalidArgument } from './errors.js';

export type FieldPath = string[];

interface Cursor {
  text: string;
  pos: number;
}

function parseName(c: Cursor): string {
  const m = /^[A-Za-z0-9_*@]+/.exec(c.text.slice(c.pos));
  if (!m) throw invalidArgument(`Invalid field selection ${c.text}`);
  c.pos += m[0].length;
  return m[0];
}

function parseList(c: Cursor, prefix: FieldPath, out: FieldPath[]): void {
  for (;;) {
    const path = [...prefix, parseName(c)];
    // "a.b" (FieldMask) and "a/b" (partial-response syntax) both select a sub-field.
    while (c.text[c.pos] === '.' || c.text[c.pos] === '/') {
      c.pos++;
      path.push(parseName(c));
    }
    if (c.text[c.pos] === '(') {
      c.pos++;
      parseList(c, path, out);
      if (c.text[c.pos] !== ')') throw invalidArgument(`Invalid field selection ${c.text}`);
      c.pos++;
    } else {
      out.push(path);
    }
    if (c.text[c.pos] !== ',') return;
    c.pos++;
  }
}

/** "a.b,c(d,e.f)" -> [["a","b"],["c","d"],["c","e","f"]]. Whitespace is ignored. */
export function parseFieldMask(text: string): FieldPath[] {
  const cursor: Cursor = { text: text.replace(/\s+/g, ''), pos: 0 };
  if (cursor.text === '') return [];
  const out: FieldPath[] = [];
  parseList(cursor, [], out);
  if (cursor.pos !== cursor.text.length) throw invalidArgument(`Invalid field selection ${text}`);
  return out;
}

type MaskTree = Map<string, MaskTree | true>;

function buildTree(paths: FieldPath[]): MaskTree {
  const root: MaskTree = new Map();
  for (const path of paths) {
    let node = root;
    path.forEach((name, i) => {
      if (i === path.length - 1) {
        node.set(name, true);
        return;
      }
      const next = node.get(name);
      if (next === true) return;
      const child: MaskTree = next ?? new Map();
      node.set(name, child);
      node = child;
    });
  }
  return root;
}

function filterValue(value: unknown, tree: MaskTree | true): unknown {
  if (tree === true) return value;
  if (Array.isArray(value)) return value.map((v) => filterValue(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of tree) {
    const source = value as Record<string, unknown>;
    const keys = key === '*' ? Object.keys(source) : [key];
    for (const k of keys) {
      if (source[k] === undefined) continue;
      out[k] = filterValue(source[k], sub);
    }
  }
  return out;
}

/** Applies a `fields` partial-response mask to a JSON body (arrays apply it per element). */
export function applyPartialResponse(body: unknown, fields: string): unknown {
  const paths = parseFieldMask(fields);
  if (paths.length === 0) return body;
  return filterValue(body, buildTree(paths));
}
