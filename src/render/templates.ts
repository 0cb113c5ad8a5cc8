/**
 * Handlebars templates in templates/. Every value enters a template through
 * `{{json value}}` (see yaml-scalar.ts); test/templates.test.ts fails on any
 * other mustache, so no user string is ever spliced into YAML unescaped.
 * Every rendered document is parsed back before it is used.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { packagePath } from '../package-root.js';
import Handlebars from 'handlebars';
import { parseDocument } from 'yaml';
import { toYamlFlow } from './yaml-scalar.js';

export const TEMPLATE_DIR = `${packagePath('templates')}/`;

export type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

type Compiled = (context: unknown) => string;

let engine: { render: (name: string, context: unknown) => string } | undefined;

function loadEngine(): NonNullable<typeof engine> {
  const hbs = Handlebars.create();
  hbs.registerHelper('json', (value: unknown) => new hbs.SafeString(toYamlFlow(value)));
  const compiled = new Map<string, Compiled>();
  for (const file of readdirSync(TEMPLATE_DIR).sort()) {
    const source = readFileSync(`${TEMPLATE_DIR}${file}`, 'utf8');
    if (file.endsWith('.partial.hbs')) {
      hbs.registerPartial(camelCase(file.slice(0, -'.partial.hbs'.length)), source);
    } else if (file.endsWith('.yaml.hbs')) {
      compiled.set(file.slice(0, -'.yaml.hbs'.length), hbs.compile(source, { strict: true, noEscape: true }));
    }
  }
  return {
    render(name, context) {
      const template = compiled.get(name);
      if (template === undefined) throw new Error(`no template ${name}.yaml.hbs in ${TEMPLATE_DIR}`);
      return template(context);
    },
  };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Renders one template and parses the result back into an object. */
export function renderTemplate(name: string, context: unknown): KubernetesObject {
  engine ??= loadEngine();
  const text = engine.render(name, context);
  const doc = parseDocument(text, { uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    throw new Error(`template ${name}.yaml.hbs rendered invalid YAML: ${doc.errors[0]?.message ?? ''}`);
  }
  const obj: unknown = doc.toJS();
  if (typeof obj !== 'object' || obj === null || typeof (obj as KubernetesObject).kind !== 'string' || typeof (obj as KubernetesObject).metadata?.name !== 'string') {
    throw new Error(`template ${name}.yaml.hbs did not render a Kubernetes object`);
  }
  return obj as KubernetesObject;
}
