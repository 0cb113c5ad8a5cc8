/**
 * The prometheus kind's config passes through prometheus-config-reloader,
 * which writes a copy for Prometheus with every `$(NAME)` replaced by the
 * environment variable NAME (regex `\$\(([a-zA-Z_0-9]+)\)`, one pass, the
 * value inserted raw; a reference to an unset variable is left as written).
 * There is no escape for `$(`: a user value such as a regex `a$(b)` would be
 * rewritten whenever a variable of that name is set. So every string that
 * holds `$(` is written as a double-quoted YAML scalar with its `$` as the
 * YAML escape `\x24`: the reloader sees no reference, and Prometheus' YAML
 * parser reads the `$` back. Only the references k8smon means stay live.
 */
import { stringifyYaml } from '../../util/yaml.js';

const REFERENCE = /\$\(([a-zA-Z_0-9]+)\)/g;

/** What the reloader does to the raw text: `$(NAME)` → the variable's value where it is set. */
export function reloaderEnvsubst(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(REFERENCE, (whole, name: string) => lookup(name) ?? whole);
}

/**
 * Serializes a config for the reloader: `ref(NAME)` gives the placeholder to
 * put in the object where a live `$(NAME)` must end up.
 */
export function configForReloader(build: (ref: (name: string) => string) => unknown): string {
  const serialize = (ref: (name: string) => string): string =>
    stringifyYaml(build(ref), { lineWidth: 0, sortMapEntries: false, doubleQuote: (s) => s.includes('$(') });
  // A placeholder made of letters and digits, chosen so it occurs in no key or value (so nowhere in
  // the text: YAML escaping never makes letters and digits). JSON is a quicker look at them than YAML.
  const plain = JSON.stringify(build(() => ''));
  let n = 0;
  while (plain.includes(`K8SMONREF${n}X`)) n++;
  const token = `K8SMONREF${n}X`;
  const text = serialize((name) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${name}`);
    return `${token}${name}${token}`;
  });
  // Every `$(` left in the text is inside a double-quoted scalar, where `\x24` reads as `$`.
  return text.replaceAll('$(', '\\x24(').replace(new RegExp(`${token}([A-Z_][A-Z0-9_]*)${token}`, 'g'), (_m, name: string) => `$(${name})`);
}
