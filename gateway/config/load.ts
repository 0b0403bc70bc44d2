import { readFileSync } from 'node:fs';
import { jsonErrorLocation } from './json-position.js';
import { configLeaves } from './paths.js';
import { configSchema, type Config } from './schema.js';

/** Configuration could not be loaded; `problems` lists every one found, not just the first. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** Path of a JSON config file (`--config`). */
  file?: string | undefined;
  /** The environment (only SHEETLOG_* variables are read). */
  env?: Record<string, string | undefined>;
  /** Values from command-line flags, already shaped like the config. */
  flags?: Record<string, unknown>;
  /** Told about SHEETLOG_* variables that name no configuration key (they are ignored). */
  onWarning?: (message: string) => void;
}

/** Shortcut variables for the settings people change most. */
const ENV_SHORTCUTS: Record<string, string[]> = {
  SHEETLOG_PORT: ['tcp', 'port'],
  SHEETLOG_DATA: ['dataDir'],
  SHEETLOG_LOG_LEVEL: ['log', 'level'],
  SHEETLOG_AUTH: ['auth', 'mode'],
};

/**
 * Builds the configuration from, lowest precedence first: the schema's defaults, the config file,
 * SHEETLOG_* environment variables, and flags. Throws ConfigError listing every problem.
 */
export function loadConfig(sources: ConfigSources): Config {
  const problems: string[] = [];
  const fromFile = sources.file ? readConfigFile(sources.file, problems) : {};
  const fromEnv = envToConfig(sources.env ?? {}, sources.onWarning);
  const merged = deepMerge(deepMerge(fromFile, fromEnv), sources.flags ?? {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      if (issue.code === 'unrecognized_keys') {
        // Name the key itself: a typo is the usual cause, and the reference lists the right spelling.
        for (const key of issue.keys) problems.push(`${[...issue.path, key].join('.')}: no such configuration key (\`sheetlog config --docs\` lists every key)`);
      } else problems.push(`${where}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

function readConfigFile(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    problems.push(`config file ${path}: ${(e as Error).message}`);
    return {};
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`config file ${path}: must hold a JSON object`);
      return {};
    }
    return value as Record<string, unknown>;
  } catch (e) {
    problems.push(`config file ${path}: ${jsonSyntaxProblem(text, e as Error)}`);
    return {};
  }
}

/** "JSON syntax error at line 3, column 5: Unexpected token 'x'", from JSON.parse's error. */
function jsonSyntaxProblem(text: string, e: Error): string {
  const where = jsonErrorLocation(text);
  // Node 20 quotes the whole text in some messages and names an offset in others: keep the reason only.
  const reason = e.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+$/, '');
  return where ? `not valid JSON: syntax error at line ${where.line}, column ${where.column}: ${reason}` : `not valid JSON (${reason})`;
}

/**
 * SHEETLOG_<SECTION>__<KEY> sets section.key (SNAKE_CASE becomes camelCase), e.g.
 * SHEETLOG_STORE__COMMIT_DELAY_MS=5; top-level keys have no section: SHEETLOG_DATA_DIR. Values are
 * read as JSON when they parse, else as strings. Variables that name no key are ignored with a
 * warning, not refused: the environment is shared with other tools (the sketches' host harness
 * reads SHEETLOG_HOST_*), whereas a config file is the gateway's alone and stays strict.
 */
export function envToConfig(env: Record<string, string | undefined>, onWarning: (m: string) => void = () => {}): Record<string, unknown> {
  const known = new Set(configLeaves(configSchema).map((l) => l.path));
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('SHEETLOG_') || raw === undefined) continue;
    const path = ENV_SHORTCUTS[name] ?? name.slice('SHEETLOG_'.length).split('__').map(camel);
    if (!known.has(path.join('.'))) {
      onWarning(`environment variable ${name} names no configuration key; ignored`);
      continue;
    }
    setPath(out, path, parseEnvValue(raw));
  }
  return out;
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function camel(snake: string): string {
  return snake.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
