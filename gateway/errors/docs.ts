import { ERR, FAMILIES, NAK, type Family } from './registry.js';

/** docs/ERRORS.md, generated from the registry (`npm run docs:errors`). */
export function errorsReference(): string {
  return [
    '# Error codes',
    '',
    '<!-- generated from gateway/errors/registry.ts by `npm run docs:errors`; do not edit by hand -->',
    '',
    'Every code sheetlog gives, by where it appears. Programs match on the code; the text beside it is',
    'for people and may change. A name shared by two families (`LINE_TOO_LONG`, `INTERNAL`) means what',
    'its family says.',
    '',
    ...FAMILIES.flatMap(familySection),
  ].join('\n');
}

function familySection(family: Family): string[] {
  const entries = Object.entries(family.codes);
  const extra = entries.some(([, c]) => c.http !== undefined)
    ? 'HTTP'
    : entries.some(([, c]) => c.closes !== undefined)
      ? 'closes'
      : entries.some(([, c]) => c.then !== undefined)
        ? 'then'
        : entries.some(([, c]) => c.exit !== undefined)
          ? 'exit'
          : null;
  const actions = entries.some(([, c]) => c.action !== undefined);
  const head = ['code', ...(extra ? [extra] : []), 'meaning', ...(actions ? ['what to do'] : [])];
  const rows = entries.map(([code, c]) => {
    const cell = extra === 'HTTP' ? String(c.http) : extra === 'closes' ? (c.closes ? 'yes' : 'no') : extra === 'then' ? String(c.then) : extra === 'exit' ? String(c.exit) : null;
    const cells = [`\`${code}\``, ...(cell === null ? [] : [cell]), c.meaning, ...(actions ? [c.action ?? ''] : [])];
    return `| ${cells.join(' | ')} |`;
  });
  return [`## ${family.title}`, '', family.where, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows, ''];
}

/** The code tables of docs/PROTOCOL.md section 7, generated from the same registry. */
export function protocolCodeTables(): string {
  const nak = Object.entries(NAK).map(([code, c]) => `| \`${code}\` | ${c.meaning} |`);
  const err = Object.entries(ERR).map(([code, c]) => `| \`${code}\` | ${c.closes ? 'yes' : 'no'} | ${c.meaning} |`);
  return [
    'NAK codes (the reading is dropped by the board):',
    '',
    '| code | cause |',
    '| --- | --- |',
    ...nak,
    '',
    'ERR codes:',
    '',
    '| code | closes | cause |',
    '| --- | --- | --- |',
    ...err,
    '',
  ].join('\n');
}
