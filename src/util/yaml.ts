/**
 * YAML text from plain values, as every file k8smon writes is made. It is the
 * `yaml` package's stringify, with one bug worked around: a multi-line string
 * whose first non-empty line holds only spaces or tabs (" \n") is written as
 * a block scalar whose parse loses those spaces (eemeli/yaml#692, #695; yaml
 * 2.9). Such strings are written double-quoted; every other string keeps the
 * library's choice, so agent configs stay readable `|` blocks.
 */
import { fastStringifyYaml } from './yaml-emit.js';
import { Document, visit, type CreateNodeOptions, type DocumentOptions, type SchemaOptions, type ToStringOptions } from 'yaml';

const FIRST_CONTENT_LINE_BLANK = /^\n*[\t ]+(\n|$)/;

export interface StringifyOptions extends DocumentOptions, SchemaOptions, CreateNodeOptions, ToStringOptions {
  /** Strings (values and keys alike) to write double-quoted whatever they hold, e.g. for a caller that escapes within them. */
  doubleQuote?: (value: string) => boolean;
}

export function stringifyYaml(value: unknown, options: StringifyOptions = {}): string {
  // Plain data in the common options: the same text, written directly (yaml-emit.ts).
  return fastStringifyYaml(value, options) ?? stringifyYamlWithPackage(value, options);
}

/** The `yaml` package's text for `value`, with the workaround above; what the fast path must equal. */
export function stringifyYamlWithPackage(value: unknown, options: StringifyOptions = {}): string {
  const { doubleQuote, ...yamlOptions } = options;
  const doc = new Document(value, yamlOptions);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      if ((node.value.includes('\n') && FIRST_CONTENT_LINE_BLANK.test(node.value)) || doubleQuote?.(node.value) === true) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString(yamlOptions);
}
