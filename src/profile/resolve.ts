/**
 * From what the user gave (a profile file, a preset name, --set flags) to one
 * validated Profile. Precedence, lowest first:
 *
 *   built-in defaults < preset < profile file < --set
 *
 * The preset is the one named by --profile/--preset, else the file's `preset:`.
 */
import { readFileSync, statSync } from 'node:fs';
import { InvalidInputError, type InputProblem } from '../errors.js';
import { builtInDefaults } from './defaults.js';
import { convertSetValue, deepMerge, formatPath, isPlainObject, parseSetFlags, setPath, type PathSegment, type PlainObject } from './merge.js';
import { loadPreset } from './presets.js';
import type { Profile } from './types.js';
import { crossFieldRules, schemaErrors, schemaTypesAt } from './validate.js';
import { MAX_PROFILE_BYTES, parseYamlDocument } from './yaml-input.js';

export interface ProfileSources {
  /** Path of a profile file. */
  file?: string;
  /** Preset name from the command line; wins over the file's `preset:`. */
  preset?: string;
  /** `path=value` assignments from --set, applied in order. */
  sets?: readonly string[];
  /**
   * A credential piped to --password-stdin: it fills the credential of
   * remoteWrite[0] (basic-auth password, bearer token or OAuth client secret),
   * replacing any other source of it given in the profile.
   */
  stdinCredential?: string;
}

export interface ResolvedProfile {
  profile: Profile;
  warnings: InputProblem[];
  /** What was assumed for lack of input (no profile, an empty file), for stderr. */
  notices?: InputProblem[];
}

export function readProfileFile(file: string): PlainObject {
  let text: string;
  try {
    // Refused before reading: a profile is never this large (see parseYamlDocument for the limit).
    const size = statSync(file).isFile() ? statSync(file).size : 0;
    if (size > MAX_PROFILE_BYTES) {
      throw new InvalidInputError(`${file} is too large for a profile.`, [
        { path: file, message: `is ${size} bytes; a profile may be at most ${MAX_PROFILE_BYTES} bytes (1 MiB), and a complete one is a few KB` },
      ]);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'cannot be read');
    throw new InvalidInputError('Cannot read the profile.', [{ path: file, message: `${why}; pass an existing file with -f, or use --profile <preset>` }]);
  }
  return parseYamlDocument(text, file);
}

export function resolveProfile(sources: ProfileSources): ResolvedProfile {
  const fileDoc = sources.file === undefined ? {} : readProfileFile(sources.file);
  const resolved = resolveProfileDocument(fileDoc, sources);
  const notices: InputProblem[] = [];
  const presetGiven = sources.preset !== undefined || typeof fileDoc.preset === 'string';
  const generic = `rendering for a generic cluster (cluster.platform: ${resolved.profile.cluster.platform}, ${resolved.profile.cluster.controlPlane} control plane)`;
  if (sources.file === undefined && !presetGiven) {
    notices.push({ path: '-f/--profile', message: `no profile file or preset given: ${generic}; pass --profile <preset> (k8smon presets) or -f k8smon.yaml (k8smon init writes one)` });
  } else if (sources.file !== undefined && Object.keys(fileDoc).length === 0 && sources.preset === undefined) {
    notices.push({ path: sources.file, message: `is empty: ${generic} from the built-in defaults; add preset: <name> or the fields you need` });
  }
  return notices.length > 0 ? { ...resolved, notices } : resolved;
}

/** Like resolveProfile, with the profile document already parsed (the wizard and tests build one). */
export function resolveProfileDocument(fileDoc: PlainObject, sources: Omit<ProfileSources, 'file'>): ResolvedProfile {
  const { assignments, problems: setProblems } = parseSetFlags(sources.sets ?? []);
  if (setProblems.length > 0) throw new InvalidInputError('Invalid --set flag.', setProblems);

  const presetName = sources.preset ?? (typeof fileDoc.preset === 'string' ? fileDoc.preset : undefined);
  const presetDoc = presetName === undefined ? {} : loadPreset(presetName, sources.preset === undefined ? 'preset' : '--profile');

  let merged: unknown = deepMerge(deepMerge(builtInDefaults(), presetDoc), fileDoc);
  if (presetName !== undefined) merged = { ...(merged as PlainObject), preset: presetName };
  for (const a of assignments) {
    merged = setPath(merged, a.path, convertSetValue(a.text, schemaTypesAt(a.path)));
  }

  let stdinFilled: string | undefined;
  if (sources.stdinCredential !== undefined) {
    const filled = fillStdinCredential(merged, sources.stdinCredential);
    merged = filled.doc;
    stdinFilled = filled.path;
  }

  const schema = schemaErrors(merged);
  if (schema.problems.length > 0) {
    // Every problem at once: the cross-field rules run on the rest of the profile too.
    const baseline = deepMerge(builtInDefaults(), presetDoc);
    const cross = crossFieldProblemsBeside(merged, schema.at, baseline);
    throw new InvalidInputError('The profile is invalid.', [...schema.problems, ...cross]);
  }
  const profile = merged as Profile;
  const { errors, warnings } = crossFieldRules(profile);
  if (errors.length > 0) throw new InvalidInputError('The profile is invalid.', errors);
  // A credential piped in on purpose is not "kept in the profile file".
  return { profile, warnings: warnings.filter((w) => w.path !== stdinFilled) };
}

/**
 * The cross-field problems of a profile that fails the schema: each value the
 * schema refused is set back to the default (or left out), and the rules run on
 * what is left once that passes. Problems about a refused value are dropped:
 * the schema's message already covers them.
 */
function crossFieldProblemsBeside(doc: unknown, refused: readonly PathSegment[][], baseline: unknown): InputProblem[] {
  let repaired = structuredClone(doc);
  let at = refused;
  const touched: string[] = [];
  for (let round = 0; round < 4 && at.length > 0; round++) {
    for (const path of at) {
      const target = repairTarget(repaired, path, baseline);
      touched.push(formatPath(target));
      repaired = replaceAt(repaired, target, valueIn(baseline, target));
    }
    at = schemaErrors(repaired, { describe: false }).at;
  }
  if (at.length > 0) return [];
  let errors: InputProblem[];
  try {
    errors = crossFieldRules(repaired as Profile).errors;
  } catch {
    return [];
  }
  const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
  return errors.filter((e) => !touched.some((t) => overlaps(e.path, t)));
}

/** Where to repair: the refused value, or the list holding it (list items cannot be left out one by one). */
function repairTarget(doc: unknown, path: readonly PathSegment[], baseline: unknown): PathSegment[] {
  const target = [...path];
  // A missing key ("is required") or a value inside a list item: repair the whole item's list.
  const numeric = target.findIndex((seg) => typeof seg === 'number');
  if (numeric >= 0) return target.slice(0, numeric);
  if (valueIn(doc, target) === undefined && valueIn(baseline, target) === undefined && target.length > 0) return target.slice(0, -1);
  return target;
}

function valueIn(doc: unknown, path: readonly PathSegment[]): unknown {
  let node = doc;
  for (const seg of path) {
    // Own keys only: a key named like an Object method ("valueOf") is just an unknown key.
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, seg)) return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** Sets the value at a path, or removes the key where the value is undefined. */
function replaceAt(doc: unknown, path: readonly PathSegment[], value: unknown): unknown {
  if (path.length === 0) return value === undefined ? {} : structuredClone(value);
  const parent = valueIn(doc, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (isPlainObject(parent)) {
    if (value === undefined) delete parent[key as string];
    else parent[key as string] = structuredClone(value);
  } else if (Array.isArray(parent) && typeof key === 'number') {
    parent[key] = structuredClone(value);
  }
  return doc;
}

/** Puts the --password-stdin value where remoteWrite[0] takes its credential; stdin wins over the profile's own source. */
function fillStdinCredential(doc: unknown, value: string): { doc: unknown; path: string } {
  const rw = isPlainObject(doc) && Array.isArray(doc.remoteWrite) && isPlainObject(doc.remoteWrite[0]) ? structuredClone(doc.remoteWrite[0]) : undefined;
  if (rw === undefined) {
    throw new InvalidInputError('Nowhere to put the --password-stdin value.', [
      { path: '--password-stdin', message: 'fills the credential of remoteWrite[0], and the profile has no remoteWrite destination; add one ({url, basicAuth: {username}})' },
    ]);
  }
  let path: string;
  if (isPlainObject(rw.basicAuth)) {
    const { passwordFrom: _replaced, ...basic } = rw.basicAuth;
    rw.basicAuth = { ...basic, password: value };
    path = 'remoteWrite[0].basicAuth.password';
  } else if (rw.bearerToken !== undefined || rw.bearerTokenFrom !== undefined) {
    rw.bearerToken = value;
    delete rw.bearerTokenFrom;
    path = 'remoteWrite[0].bearerToken';
  } else if (isPlainObject(rw.oauth2)) {
    const { clientSecretFrom: _replaced, ...oauth2 } = rw.oauth2;
    rw.oauth2 = { ...oauth2, clientSecret: value };
    path = 'remoteWrite[0].oauth2.clientSecret';
  } else {
    throw new InvalidInputError('Nowhere to put the --password-stdin value.', [
      {
        path: '--password-stdin',
        message: 'fills the basic-auth password, bearer token or OAuth client secret of remoteWrite[0], which has none of them; add basicAuth: {username: …} (or bearerTokenFrom) to remoteWrite[0]',
      },
    ]);
  }
  const out = structuredClone(doc) as PlainObject;
  out.remoteWrite = [rw, ...(out.remoteWrite as unknown[]).slice(1)];
  return { doc: out, path };
}
