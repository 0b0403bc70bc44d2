import { z } from 'zod';

/** One settable key of a configuration schema: its dotted path, schema and default. */
export interface ConfigLeaf {
  path: string;
  schema: z.ZodType;
  defaultValue: unknown;
}

/** Every leaf key of an object schema, in declaration order (nested objects are walked). */
export function configLeaves(schema: z.ZodType, prefix = ''): ConfigLeaf[] {
  const shape = objectShape(schema);
  if (shape === null) return [];
  const out: ConfigLeaf[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (objectShape(child) !== null) out.push(...configLeaves(child, path));
    else out.push({ path, schema: child, defaultValue: defaultOf(child) });
  }
  return out;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  let s: z.ZodType = schema;
  // Unwrap defaults, prefaults and optionals around an object.
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
