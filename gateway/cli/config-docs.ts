import { configLeaves } from '../config/paths.js';
import { configSchema } from '../config/schema.js';

/** The configuration reference as a markdown table, generated from the schema itself. */
export function configReference(): string {
  const rows = configLeaves(configSchema).map(({ path, schema, defaultValue }) => {
    const def = defaultValue === undefined ? '' : `\`${JSON.stringify(defaultValue)}\``;
    return `| \`${path}\` | ${def} | ${schema.description ?? ''} |`;
  });
  return `${['| key | default | meaning |', '| --- | --- | --- |', ...rows].join('\n')}\n`;
}
