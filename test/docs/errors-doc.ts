import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorsReference } from '../../gateway/errors/docs.js';

export const ERRORS_MD = fileURLToPath(new URL('../../docs/ERRORS.md', import.meta.url));

// `npm run docs:errors` rewrites docs/ERRORS.md from the registry.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ERRORS_MD, errorsReference());
  process.stdout.write('docs/ERRORS.md updated\n');
}
