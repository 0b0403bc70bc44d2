import { z } from 'zod';
import { configSchema } from '../config/schema.js';

/** The configuration reference as a markdown table, generated from the schema itself. */
export function configReference(): string {
  const rows: string[] = ['| key | default | meaning |', '| --- | --- | --- |'];
  walk(configSchema, '', rows);
  return `${rows.join('\n')}\n`;
}

function walk(schema: z.ZodType, prefix: string, rows: string[]): void {
  const shape = objectShape(schema);
  if (shape === null) return;
  for (const [key, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (objectShape(child) !== null) {
      walk(child, path, rows);
      continue;
    }
    const def = defaultOf(child);
    rows.push(`| \`${path}\` | ${def === undefined ? '' : `\`${JSON.stringify(def)}\``} | ${child.description ?? ''} |`);
  }
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  let s: z.ZodType = schema;
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, z.ZodType>;
    const inner = (s as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
    if (!inner) return null;
    s = inner;
  }
  return null;
}

function defaultOf(schema: z.ZodType): unknown {
  const def = (schema as unknown as { def?: { type?: string; defaultValue?: unknown } }).def;
  return def?.type === 'default' ? def.defaultValue : undefined;
}
