/**
 * Compiles the sketches' C++ for the host with g++: the SheetlogClient library, the host shim,
 * a sketch's .ino (unchanged, as C++) or the C++ unit tests.
 *
 * Object files are cached in the OS temp dir, keyed by a hash of the source, every header the
 * build can see and the flags, so test files running in parallel (and later runs) compile each
 * library and shim file once. Linked programs go to the caller's temp dir. -O0 keeps g++ fast on
 * the 2-core machines.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
export const SKETCHES = join(REPO, 'sketches');
export const LIBRARY_SRC = join(SKETCHES, 'libraries', 'SheetlogClient', 'src');
export const HOST_SHIM = join(SKETCHES, 'host');
export const UNIT_TESTS = join(REPO, 'test', 'sketches', 'cpp');

const CACHE = join(tmpdir(), 'sheetlog-sketch-objects');
// The library is compiled as C++11: the Adafruit SAMD core still builds with -std=gnu++11.
const LIBRARY_FLAGS = ['-std=c++11', '-O0', '-g0', '-Wall', '-Wextra'];
const HOST_FLAGS = ['-std=c++17', '-O0', '-g0', '-Wall', '-Wextra'];

interface Unit {
  source: string;
  flags: string[];
  includes: string[];
  /** Compile as C++ whatever the extension (.ino). */
  asCxx?: boolean;
  /** Anything else the object depends on (the sketch's own config headers). */
  extraKey?: string;
}

export interface BuildResult {
  binary: string;
  /** Compiler warnings, so a test can insist there are none. */
  warnings: string[];
}

function sources(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}

let headerDigest: string | undefined;
function headersHash(): string {
  if (headerDigest === undefined) {
    const h = createHash('sha256');
    for (const dir of [LIBRARY_SRC, HOST_SHIM, UNIT_TESTS]) {
      for (const f of sources(dir, '.h')) h.update(f).update(readFileSync(f));
    }
    headerDigest = h.digest('hex');
  }
  return headerDigest;
}

async function compile(unit: Unit, outDir: string, warnings: string[]): Promise<string> {
  const args = [...unit.flags, ...unit.includes.map((i) => `-I${i}`)];
  const key = createHash('sha256')
    .update(unit.source)
    .update(readFileSync(unit.source))
    .update(args.join(' '))
    .update(unit.asCxx ? 'c++' : '')
    .update(unit.extraKey ?? '')
    .update(headersHash())
    .digest('hex')
    .slice(0, 24);
  const cached = join(CACHE, `${basename(unit.source)}.${key}.o`);
  const cachedWarnings = `${cached}.warnings`; // written first, so it exists whenever the object does
  if (existsSync(cached)) {
    const w = existsSync(cachedWarnings) ? readFileSync(cachedWarnings, 'utf8') : '';
    if (w !== '') warnings.push(w);
    return cached;
  }
  mkdirSync(outDir, { recursive: true });
  const tmp = join(outDir, `${basename(unit.source)}.${key}.o`);
  const input = unit.asCxx ? ['-x', 'c++', unit.source, '-x', 'none'] : [unit.source];
  const { stderr } = await run('g++', [...args, '-c', ...input, '-o', tmp], { maxBuffer: 16 << 20 });
  if (stderr.trim() !== '') warnings.push(stderr.trim());
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(`${tmp}.warnings`, stderr.trim());
  renameSync(`${tmp}.warnings`, cachedWarnings);
  renameSync(tmp, cached); // atomic: a parallel test file sees the whole object or none
  return cached;
}

async function compileAll(units: Unit[], outDir: string, warnings: string[]): Promise<string[]> {
  const results: string[] = new Array(units.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < units.length) {
      const i = next++;
      results[i] = await compile(units[i] as Unit, outDir, warnings);
    }
  };
  const width = Math.max(1, Math.min(availableParallelism(), 4));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

function libraryUnits(withHost: boolean): Unit[] {
  const includes = withHost ? [LIBRARY_SRC, HOST_SHIM] : [LIBRARY_SRC];
  return sources(LIBRARY_SRC, '.cpp')
    .filter((f) => withHost || basename(f) !== 'SheetlogClient.cpp') // the Arduino-facing part needs the shim
    .map((source) => ({ source, flags: LIBRARY_FLAGS, includes }));
}

function hostUnits(): Unit[] {
  return sources(HOST_SHIM, '.cpp').map((source) => ({ source, flags: HOST_FLAGS, includes: [HOST_SHIM] }));
}

// OpenSSL under the host shim's BearSSL stand-in (sketches/host/HostTls.cpp; Debian: libssl-dev).
const LINK_LIBRARIES = ['-lssl', '-lcrypto'];

async function link(objects: string[], binary: string): Promise<void> {
  await run('g++', [...objects, '-o', binary, ...LINK_LIBRARIES], { maxBuffer: 16 << 20 });
}

/**
 * Builds `sketches/<name>/<name>.ino` for the host. The sketch folder's .ino and
 * sheetlog_config.example.h are copied to `outDir` first, so a developer's own sheetlog_config.h
 * never leaks in; `userConfig` is written as the sketch's sheetlog_config.h (the build a user
 * makes); `defines` override config values (-DSAMPLE_PERIOD_MS=100).
 */
export async function buildSketch(
  name: string,
  outDir: string,
  defines: Record<string, string | number> = {},
  extraIncludes: string[] = [],
  userConfig?: string,
): Promise<BuildResult> {
  const copy = join(outDir, 'sketch', name);
  mkdirSync(copy, { recursive: true });
  for (const f of [`${name}.ino`, 'sheetlog_config.example.h']) cpSync(join(SKETCHES, name, f), join(copy, f));
  if (userConfig !== undefined) writeFileSync(join(copy, 'sheetlog_config.h'), userConfig);
  const flags = [...HOST_FLAGS, ...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`)];
  const warnings: string[] = [];
  const objects = await compileAll(
    [
      ...libraryUnits(true),
      ...hostUnits(),
      {
        source: join(copy, `${name}.ino`),
        flags,
        includes: [HOST_SHIM, LIBRARY_SRC, ...extraIncludes],
        asCxx: true,
        extraKey: readdirSync(copy)
          .filter((f) => f.endsWith('.h'))
          .sort()
          .map((f) => f + readFileSync(join(copy, f), 'utf8'))
          .join('\n'),
      },
    ],
    join(outDir, 'obj'),
    warnings,
  );
  const binary = join(outDir, name);
  await link(objects, binary);
  return { binary, warnings };
}

/** Builds test/sketches/cpp/*.cpp against the library's pure parts (no Arduino shim). */
export async function buildUnitTests(outDir: string): Promise<BuildResult> {
  const warnings: string[] = [];
  const objects = await compileAll(
    [
      ...libraryUnits(false),
      ...sources(UNIT_TESTS, '.cpp').map((source) => ({ source, flags: HOST_FLAGS, includes: [LIBRARY_SRC] })),
    ],
    join(outDir, 'obj'),
    warnings,
  );
  const binary = join(outDir, 'unit-tests');
  await link(objects, binary);
  return { binary, warnings };
}
