/**
 * Loads the CommonJS files the build generates next to the bundle (the
 * profile validator, the precompiled templates) with V8's code cache.
 *
 * The validator alone is ~450 KB of generated code: compiling it, and then
 * compiling its functions lazily on their first call, cost a render ~50 ms.
 * The build (scripts/build-code-cache.mjs) runs every preset's render once
 * and saves, beside each file, V8's code for what that run compiled
 * (`<file>.v8cache`). Here the cache is handed to V8 with the source: V8
 * checks it against its own version and the source, and on any mismatch
 * (another Node.js, an edited file) silently compiles from the source as
 * before — the cache can make loading faster, never different.
 *
 * The same build run also saves answers of pure functions that recur from run
 * to run (buildMemo below: the YAML parse of each rendered template's text).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Script } from 'node:vm';

/** Set by the build while it runs the renders whose compiled code it keeps. */
const PRODUCE_ENV = 'K8SMON_BUILD_CODE_CACHE';

const loaded: { script: Script; cachePath: string }[] = [];
/** Whether V8 took each file's cache (false: compiled from the source; undefined: there was no cache). */
const cacheAccepted = new Map<string, boolean | undefined>();

/** For tests and benchmarks: per file loaded so far, whether its code cache was used. */
export function codeCacheStatus(): ReadonlyMap<string, boolean | undefined> {
  return cacheAccepted;
}

/** `require(path)` for a generated CommonJS file, through its code cache when one is there. Throws as require does when the file is absent. */
export function requireWithCodeCache(path: string): unknown {
  const source = readFileSync(path, 'utf8');
  const cachePath = `${path}.v8cache`;
  const producing = process.env[PRODUCE_ENV] === '1';
  let cachedData: Buffer | undefined;
  if (!producing) {
    try {
      cachedData = readFileSync(cachePath);
    } catch {
      cachedData = undefined;
    }
  }
  // The same wrapper Node.js gives a CommonJS module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData });
  cacheAccepted.set(path, cachedData === undefined ? undefined : !script.cachedDataRejected);
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(path), module, path, dirname(path));
  if (producing) {
    if (loaded.length === 0) process.on('exit', writeCodeCaches);
    loaded.push({ script, cachePath });
  }
  return module.exports;
}

/** After the build's renders: V8's code for everything they compiled, including functions compiled on first call. */
function writeCodeCaches(): void {
  for (const { script, cachePath } of loaded) writeFileSync(cachePath, script.createCachedData());
}

/**
 * A pure function's answers saved by the build's renders, read back by later
 * runs from `<file>` (JSON: [input, answer as JSON] pairs). The key is the
 * whole input, so an answer is only ever used for exactly the input it was
 * computed from; anything else is computed as before. `record` keeps an
 * answer during the build, and only one that survives JSON unchanged.
 */
export interface BuildMemo {
  get(input: string): unknown;
  record(input: string, answer: unknown): void;
}

export function buildMemo(file: string): BuildMemo {
  if (process.env[PRODUCE_ENV] === '1') {
    const answers = new Map<string, string>();
    process.on('exit', () => writeFileSync(file, JSON.stringify([...answers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))));
    return {
      get: () => undefined,
      record(input, answer) {
        const json = JSON.stringify(answer);
        if (json !== undefined && isDeepStrictEqual(JSON.parse(json), answer)) answers.set(input, json);
      },
    };
  }
  let answers: Map<string, string>;
  try {
    answers = new Map(JSON.parse(readFileSync(file, 'utf8')) as [string, string][]);
  } catch {
    answers = new Map();
  }
  return {
    get(input) {
      const json = answers.get(input);
      // A fresh copy every time: callers may change what they get.
      return json === undefined ? undefined : JSON.parse(json);
    },
    record: () => undefined,
  };
}
