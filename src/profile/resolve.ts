/**
 * From what the user gave (a profile file, a preset name, --set flags) to one
 * validated Profile. Precedence, lowest first:
 *
 *   built-in defaults < preset < profile file < --set
 *
 * The preset is the one named by --profile/--preset, else the file's `preset:`.
 */
import { readFileSync } from 'node:fs';
import { InvalidInputError, type InputProblem } from '../errors.js';
import { builtInDefaults } from './defaults.js';
import { convertSetValue, deepMerge, parseSetFlags, setPath, type PlainObject } from './merge.js';
import { loadPreset } from './presets.js';
import type { Profile } from './types.js';
import { crossFieldRules, schemaTypesAt, validateSchema } from './validate.js';
import { parseYamlDocument } from './yaml-input.js';

export interface ProfileSources {
  /** Path of a profile file. */
  file?: string;
  /** Preset name from the command line; wins over the file's `preset:`. */
  preset?: string;
  /** `path=value` assignments from --set, applied in order. */
  sets?: readonly string[];
}

export interface ResolvedProfile {
  profile: Profile;
  warnings: InputProblem[];
}

export function readProfileFile(file: string): PlainObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'cannot be read');
    throw new InvalidInputError('Cannot read the profile.', [{ path: file, message: `${why}; pass an existing file with -f, or use --profile <preset>` }]);
  }
  return parseYamlDocument(text, file);
}

export function resolveProfile(sources: ProfileSources): ResolvedProfile {
  const fileDoc = sources.file === undefined ? {} : readProfileFile(sources.file);
  return resolveProfileDocument(fileDoc, sources);
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

  const schemaProblems = validateSchema(merged);
  if (schemaProblems.length > 0) throw new InvalidInputError('The profile is invalid.', schemaProblems);
  const profile = merged as Profile;
  const { errors, warnings } = crossFieldRules(profile);
  if (errors.length > 0) throw new InvalidInputError('The profile is invalid.', errors);
  return { profile, warnings };
}
