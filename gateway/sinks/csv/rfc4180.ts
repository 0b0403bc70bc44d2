/**
 * RFC 4180 CSV: records end with CRLF; a field containing a comma, a double quote, CR or LF is
 * enclosed in double quotes, and a double quote inside it is doubled.
 */
export const CRLF = '\r\n';

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRecord(fields: readonly string[]): string {
  return fields.map(csvField).join(',') + CRLF;
}

/**
 * Splits CSV text into records (for tests and recovery). Quoted fields may span lines. A last
 * record without its CRLF is returned in `torn`, not in `records`.
 */
export function parseCsv(text: string): { records: string[][]; torn: string | null } {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      i += 2;
      start = i;
      continue;
    } else field += ch;
    i++;
  }
  return { records, torn: start < text.length ? text.slice(start) : null };
}
