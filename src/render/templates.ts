/**
 * Handlebars templates in templates/. Every value enters a template through
 * `{{json value}}`, which writes a placeholder (see PLACEHOLDER);
 * test/templates.test.ts fails on any other mustache, so no user string is
 * ever spliced into YAML text. Every rendered document is parsed back before
 * it is used, and each placeholder is then replaced by a JSON copy of its value.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildMemo, requireWithCodeCache, type BuildMemo } from '../util/code-cache.js';
import { packagePath } from '../package-root.js';
import { parseDocument } from 'yaml';

export const TEMPLATE_DIR = `${packagePath('templates')}/`;

export type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

type Compiled = (context: unknown) => string;

let engine: { render: (name: string, context: unknown, values: unknown[]) => string } | undefined;

/**
 * What `{{json value}}` writes: a placeholder scalar naming the value's slot.
 * The template's own text is parsed as YAML, then each placeholder is replaced
 * by its value (a JSON copy: what parsing the value as flow YAML gave, at a
 * fraction of the cost — the agents' configs are large strings).
 */
const PLACEHOLDER = /^\u0000k8smon-value-(\d+)$/;
const placeholder = (slot: number): string => JSON.stringify(`\u0000k8smon-value-${slot}`);

/** How every template is compiled: at build time (scripts/build-templates.mjs) and, failing that, here. */
export const TEMPLATE_COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

type HandlebarsEnv = typeof import('handlebars');
type TemplateSpec = Parameters<HandlebarsEnv['template']>[0];
const require = createRequire(import.meta.url);

/**
 * The templates, ready to run: precompiled by the build next to this module
 * (only Handlebars' runtime is loaded), or compiled here from templates/ when
 * running from the sources (tests).
 */
function loadEngine(): NonNullable<typeof engine> {
  let precompiled: { runtime: HandlebarsEnv; templates: Record<string, TemplateSpec>; partials: Record<string, TemplateSpec> } | undefined;
  try {
    precompiled = requireWithCodeCache(fileURLToPath(new URL('./templates-compiled.cjs', import.meta.url))) as typeof precompiled;
  } catch {
    precompiled = undefined;
  }
  const hbs = (precompiled !== undefined ? precompiled.runtime : (require('handlebars') as HandlebarsEnv)).create();
  let values: unknown[] = [];
  hbs.registerHelper('json', (value: unknown) => {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`cannot render ${typeof value} into a template`);
    values.push(JSON.parse(json));
    return new hbs.SafeString(placeholder(values.length - 1));
  });
  const compiled = new Map<string, Compiled>();
  if (precompiled !== undefined) {
    for (const [name, spec] of Object.entries(precompiled.partials)) hbs.registerPartial(camelCase(name), hbs.template(spec));
    for (const [name, spec] of Object.entries(precompiled.templates)) compiled.set(name, hbs.template(spec));
  } else {
    for (const file of readdirSync(TEMPLATE_DIR).sort()) {
      const source = readFileSync(`${TEMPLATE_DIR}${file}`, 'utf8');
      if (file.endsWith('.partial.hbs')) {
        hbs.registerPartial(camelCase(file.slice(0, -'.partial.hbs'.length)), source);
      } else if (file.endsWith('.yaml.hbs')) {
        compiled.set(file.slice(0, -'.yaml.hbs'.length), hbs.compile(source, TEMPLATE_COMPILE_OPTIONS));
      }
    }
  }
  return {
    render(name, context, slots) {
      const template = compiled.get(name);
      if (template === undefined) throw new Error(`no template ${name}.yaml.hbs in ${TEMPLATE_DIR}`);
      values = slots;
      return template(context);
    },
  };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Every placeholder in a parsed template replaced by its value. */
function fillSlots(node: unknown, values: readonly unknown[]): unknown {
  if (typeof node === 'string') {
    const m = PLACEHOLDER.exec(node);
    return m === null ? node : values[Number(m[1])];
  }
  if (Array.isArray(node)) return node.map((n) => fillSlots(n, values));
  if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) (node as Record<string, unknown>)[k] = fillSlots(v, values);
  }
  return node;
}

/**
 * A rendered template's text (values still placeholders) parsed. The text
 * depends on the template and the shape of its context, not on the values,
 * so most texts recur from render to render: the build saves the parse of
 * every text its renders met (scripts/build-code-cache.mjs), and the same text
 * is then read from that memo instead of parsed as YAML again.
 */
function parseTemplateText(name: string, text: string): unknown {
  parsedTexts ??= buildMemo(fileURLToPath(new URL('./template-texts.json', import.meta.url)));
  const saved = parsedTexts.get(text);
  if (saved !== undefined) return saved;
  const doc = parseDocument(text, { uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    throw new Error(`template ${name}.yaml.hbs rendered invalid YAML: ${doc.errors[0]?.message ?? ''}`);
  }
  const parsed: unknown = doc.toJS();
  parsedTexts.record(text, parsed);
  return parsed;
}

let parsedTexts: BuildMemo | undefined;

/** Renders one template and parses the result back into an object. */
export function renderTemplate(name: string, context: unknown): KubernetesObject {
  engine ??= loadEngine();
  const values: unknown[] = [];
  const text = engine.render(name, context, values);
  const obj: unknown = fillSlots(parseTemplateText(name, text), values);
  if (typeof obj !== 'object' || obj === null || typeof (obj as KubernetesObject).kind !== 'string' || typeof (obj as KubernetesObject).metadata?.name !== 'string') {
    throw new Error(`template ${name}.yaml.hbs did not render a Kubernetes object`);
  }
  return obj as KubernetesObject;
}
