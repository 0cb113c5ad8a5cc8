/**
 * The only way a value gets into a template: as a JSON document, which is also
 * valid YAML (flow style). Strings become double-quoted scalars whatever they
 * contain — quotes, colons, `#`, `{{`, `${`, newlines, leading spaces — and the
 * characters YAML forbids raw (C1 controls, U+2028/9, BOM) are escaped too.
 */

// JSON.stringify leaves these raw; YAML requires them escaped (or treats them as line breaks).
// eslint-disable-next-line no-control-regex
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

export function toYamlFlow(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`cannot render ${typeof value} into YAML`);
  return json.replace(YAML_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
