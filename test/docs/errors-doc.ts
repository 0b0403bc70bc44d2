import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorsReference, protocolCodeTables } from '../../gateway/errors/docs.js';

export const ERRORS_MD = fileURLToPath(new URL('../../docs/ERRORS.md', import.meta.url));
export const PROTOCOL_MD = fileURLToPath(new URL('../../docs/PROTOCOL.md', import.meta.url));
const BEGIN = '<!-- protocol-codes:begin (generated from gateway/errors/registry.ts by `npm run docs:errors`; do not edit by hand) -->';
const END = '<!-- protocol-codes:end -->';

/** docs/PROTOCOL.md with its section 7 tables regenerated from the registry. */
export function withFreshProtocolCodes(protocol: string): string {
  const start = protocol.indexOf(BEGIN);
  const end = protocol.indexOf(END);
  if (start === -1 || end === -1) throw new Error('docs/PROTOCOL.md lacks the protocol-codes markers');
  return `${protocol.slice(0, start + BEGIN.length)}\n${protocolCodeTables()}${protocol.slice(end)}`;
}

// `npm run docs:errors` rewrites docs/ERRORS.md and the tables in docs/PROTOCOL.md from the registry.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ERRORS_MD, errorsReference());
  writeFileSync(PROTOCOL_MD, withFreshProtocolCodes(readFileSync(PROTOCOL_MD, 'utf8')));
  process.stdout.write('docs/ERRORS.md and docs/PROTOCOL.md section 7 updated\n');
}
