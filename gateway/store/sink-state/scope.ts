/**
 * The tables a statement names, so that a sink's handle can refuse SQL that reaches beyond the
 * sink's own tables. A guard against slips (a query pasted from elsewhere, a table of another
 * part), not a sandbox: it reads the names after FROM, JOIN, INTO, UPDATE, TABLE, INDEX ... ON
 * and REFERENCES, outside string literals and comments.
 */
export function tablesNamed(sql: string): string[] {
  const text = sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
  const names = new Set<string>();
  const name = String.raw`["\`\[]?([A-Za-z_][A-Za-z0-9_]*)["\`\]]?`;
  const ifExists = String.raw`(?:IF\s+(?:NOT\s+)?EXISTS\s+)?`;
  const patterns = [
    new RegExp(String.raw`\b(?:FROM|JOIN|INTO|REFERENCES)\s+${name}`, 'gi'),
    // UPDATE t SET ...; not the upsert's "DO UPDATE SET".
    new RegExp(String.raw`\bUPDATE\s+(?!SET\b)${name}`, 'gi'),
    new RegExp(String.raw`\bTABLE\s+${ifExists}${name}`, 'gi'),
    new RegExp(String.raw`\bINDEX\s+${ifExists}[A-Za-z_][A-Za-z0-9_]*\s+ON\s+${name}`, 'gi'),
  ];
  for (const p of patterns) for (const m of text.matchAll(p)) names.add((m[1] as string).toLowerCase());
  return [...names];
}

/** The names in `sql` that are not among `owned`; empty when the statement stays in scope. */
export function outOfScope(sql: string, owned: readonly string[]): string[] {
  const mine = new Set(owned.map((t) => t.toLowerCase()));
  return tablesNamed(sql).filter((t) => !mine.has(t));
}
