/**
 * Splits a line into space-separated tokens. A double-quoted part (a string value) may contain
 * spaces; `\"` and `\\` inside it do not end it. Returns null for an unterminated quote.
 */
export function splitTokens(line: string): string[] | null {
  if (line.indexOf('"') === -1) return splitPlain(line);
  const tokens: string[] = [];
  let current = '';
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (inQuote) {
      current += c;
      if (c === '\\' && i + 1 < line.length) {
        current += line[i + 1];
        i++;
      } else if (c === '"') {
        inQuote = false;
      }
    } else if (c === ' ') {
      if (current.length > 0) tokens.push(current);
      current = '';
    } else {
      if (c === '"') inQuote = true;
      current += c;
    }
  }
  if (inQuote) return null;
  if (current.length > 0) tokens.push(current);
  return tokens;
}

function splitPlain(line: string): string[] {
  const parts = line.split(' ');
  if (line.indexOf('  ') === -1 && line[0] !== ' ' && line[line.length - 1] !== ' ') return parts;
  return parts.filter((p) => p.length > 0);
}
