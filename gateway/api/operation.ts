import { z } from 'zod';
import type { ApiDeps } from './context.js';
import type { ApiErrorCode } from './errors.js';

/** `read`: open on loopback, token elsewhere; `admin`: always needs the admin token. */
export type Access = 'read' | 'admin';

export interface OperationInput<P, B> {
  /** Path and query parameters, validated. */
  params: P;
  /** The JSON body, validated (undefined for operations without one). */
  body: B;
}

/** One row of the operations table: routing, validation, access, docs and the handler together. */
export interface Operation<P = unknown, B = unknown> {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  summary: string;
  access: Access;
  /** Path and query parameters; values arrive as strings, so numbers use z.coerce. */
  params: z.ZodObject;
  body: z.ZodObject | null;
  /** HTTP status of a success (200 unless said). */
  created?: boolean;
  /** Error codes this operation may answer with, besides the common ones. */
  errors: readonly ApiErrorCode[];
  handle(input: OperationInput<P, B>, deps: ApiDeps): unknown;
}

export function defineOperation<PS extends z.ZodObject, BS extends z.ZodObject | null>(op: {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  summary: string;
  access: Access;
  params: PS;
  body: BS;
  created?: boolean;
  errors: readonly ApiErrorCode[];
  handle(input: OperationInput<z.output<PS>, BS extends z.ZodObject ? z.output<BS> : undefined>, deps: ApiDeps): unknown;
}): Operation {
  return op as unknown as Operation;
}

/** An empty parameter object that still refuses unknown query parameters. */
export const noParams = z.object({}).strict();

export interface ParameterDoc {
  name: string;
  in: 'path' | 'query' | 'body';
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  enum?: unknown[];
}

/** Describes an operation's parameters for `GET /api/v1` (introspection), from the zod schemas. */
export function describeParameters(op: Operation): ParameterDoc[] {
  const pathNames = new Set(op.path.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1)));
  const docs = describeObject(op.params, (name) => (pathNames.has(name) ? 'path' : 'query'));
  return op.body ? docs.concat(describeObject(op.body, () => 'body')) : docs;
}

type JsonProperty = { type?: string | string[]; default?: unknown; description?: string; enum?: unknown[]; anyOf?: { type?: string }[] };

function describeObject(schema: z.ZodObject, where: (name: string) => ParameterDoc['in']): ParameterDoc[] {
  // Output types say what a value means (a coerced number); transformed values only have an input type.
  const json = (io: 'input' | 'output') =>
    (z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as { properties?: Record<string, JsonProperty> }).properties ?? {};
  const output = json('output');
  const input = json('input');
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.entries(output).map(([name, p]) => {
    const field = shape[name];
    const doc: ParameterDoc = {
      name,
      in: where(name),
      type: typeName(p) !== 'any' ? typeName(p) : typeName(input[name] ?? {}),
      required: field !== undefined && !field.safeParse(undefined).success,
    };
    if (p.default !== undefined) doc.default = p.default;
    const description = p.description ?? field?.description;
    if (description !== undefined) doc.description = description;
    if (p.enum !== undefined) doc.enum = p.enum;
    return doc;
  });
}

function typeName(p: { type?: string | string[]; anyOf?: { type?: string }[] }): string {
  if (Array.isArray(p.type)) return p.type.join('|');
  if (p.type !== undefined) return p.type;
  if (p.anyOf) return p.anyOf.map((a) => a.type ?? 'any').join('|');
  return 'any';
}
