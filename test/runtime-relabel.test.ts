/** relabel(): Prometheus semantics, from its documentation and model/relabel behaviour. */
import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { allowlistRegex } from '../src/model/components/allowlists.js';
import { compileRelabelConfigs, relabel, RelabelConfigError, type RelabelConfig } from '../src/runtime/semantics/relabel/relabel.js';
import { PromRegex } from '../src/runtime/semantics/relabel/regex.js';

const base = { __address__: 'a:1', foo: 'bar', baz: 'qux', __meta_x: 'ab' };

describe.each<[string, RelabelConfig[], Record<string, string>, Record<string, string> | null]>([
  ['replace with defaults copies source to target', [{ source_labels: ['foo'], target_label: 'copy' }], base, { ...base, copy: 'bar' }],
  ['default separator is ;', [{ source_labels: ['foo', 'baz'], target_label: 'j' }], base, { ...base, j: 'bar;qux' }],
  ['custom separator', [{ source_labels: ['foo', 'baz'], separator: '-', target_label: 'j' }], base, { ...base, j: 'bar-qux' }],
  ['missing source labels read as empty', [{ source_labels: ['nope', 'foo'], target_label: 'j' }], base, { ...base, j: ';bar' }],
  ['regex is fully anchored: a partial match is no match', [{ source_labels: ['__meta_x'], regex: 'a', target_label: 'm', replacement: 'yes' }], base, base],
  ['$1x is the group named "1x" (empty)', [{ source_labels: ['foo'], regex: '(b)(a)r', target_label: 'r', replacement: '$1x' }], base, base],
  ['${1}x is group 1 then x', [{ source_labels: ['foo'], regex: '(b)(a)r', target_label: 'r', replacement: '${1}x' }], base, { ...base, r: 'bx' }],
  ['named groups expand by name', [{ source_labels: ['foo'], regex: '(?P<first>b).*', target_label: 'r', replacement: '$first-${first}' }], base, { ...base, r: 'b-b' }],
  ['$$ is a literal dollar', [{ source_labels: ['foo'], target_label: 'r', replacement: '$$1' }], base, { ...base, r: '$1' }],
  ['an empty result removes the target label', [{ source_labels: ['nope'], target_label: 'foo' }], base, { __address__: 'a:1', baz: 'qux', __meta_x: 'ab' }],
  ['no match leaves labels unchanged', [{ source_labels: ['foo'], regex: 'x+', target_label: 'foo', replacement: 'y' }], base, base],
  ['target_label is expanded too', [{ source_labels: ['foo'], regex: '(.*)', target_label: 'l_${1}', replacement: 'v' }], base, { ...base, l_bar: 'v' }],
  ['an expanded target_label is any UTF-8 name (Prometheus 3)', [{ source_labels: ['__address__'], regex: '(.*)', target_label: '${1}', replacement: 'v' }], base, { ...base, 'a:1': 'v' }],
  ['an empty expanded target_label is skipped', [{ source_labels: ['nope'], regex: '(.*)', target_label: '${1}', replacement: 'v' }], base, base],
  ['keep drops on no match', [{ source_labels: ['foo'], regex: 'nope', action: 'keep' }], base, null],
  ['keep keeps on match', [{ source_labels: ['foo'], regex: 'ba.', action: 'keep' }], base, base],
  ['drop drops on match', [{ source_labels: ['foo'], regex: 'bar', action: 'drop' }], base, null],
  ['keepequal compares with the target label', [{ source_labels: ['foo'], target_label: 'baz', action: 'keepequal' }], base, null],
  ['dropequal', [{ source_labels: ['foo'], target_label: 'copy', action: 'dropequal' }], { ...base, copy: 'bar' }, null],
  ['labelmap copies matching names', [{ action: 'labelmap', regex: '__meta_(.+)' }], base, { ...base, x: 'ab' }],
  ['labeldrop', [{ action: 'labeldrop', regex: 'ba.' }], base, { __address__: 'a:1', foo: 'bar', __meta_x: 'ab' }],
  ['labelkeep', [{ action: 'labelkeep', regex: '__address__|foo' }], base, { __address__: 'a:1', foo: 'bar' }],
  ['lowercase', [{ source_labels: ['up'], target_label: 'l', action: 'lowercase' }], { up: 'ÀBÇ İ' }, { up: 'ÀBÇ İ', l: 'àbç i' }],
  ['uppercase keeps ß (no single-rune upper case)', [{ source_labels: ['s'], target_label: 'u', action: 'uppercase' }], { s: 'straße ω' }, { s: 'straße ω', u: 'STRAßE Ω' }],
])('%s', (_name, configs, input, expected) => {
  it('gives the Prometheus result', () => {
    expect(relabel(input, configs)).toEqual(expected);
  });
});

describe('prometheus-2 (grafana-agent) label names', () => {
  const p2 = { semantics: 'prometheus-2' } as const;
  it('skips an expanded target_label that is not a legacy name', () => {
    expect(relabel(base, [{ source_labels: ['__address__'], regex: '(.*)', target_label: '${1}', replacement: 'v' }], p2)).toEqual(base);
  });
  it('refuses a UTF-8 target_label or source label', () => {
    expect(() => relabel(base, [{ source_labels: ['foo'], target_label: 'utf-8.label' }], p2)).toThrow(/"utf-8\.label" is invalid 'target_label' for replace action/);
    expect(() => relabel(base, [{ source_labels: ['utf-8.label'], target_label: 'x' }], p2)).toThrow(/"utf-8\.label" is not a valid label name/);
    expect(relabel(base, [{ source_labels: ['foo'], target_label: 'utf-8.label' }])).toEqual({ ...base, 'utf-8.label': 'bar' });
  });
  it('`.` does not match a newline there, and does in Prometheus 3', () => {
    const rules = [{ source_labels: ['m'], regex: 'a.b', action: 'keep' }];
    expect(relabel({ m: 'a\nb' }, rules, p2)).toBeNull();
    expect(relabel({ m: 'a\nb' }, rules)).toEqual({ m: 'a\nb' });
    const copy = [{ source_labels: ['m'], target_label: 'c' }];
    expect(relabel({ m: 'a\nb' }, copy, p2)).toEqual({ m: 'a\nb' });
    expect(relabel({ m: 'a\nb' }, copy)).toEqual({ m: 'a\nb', c: 'a\nb' });
  });
  it('compiled rules carry their semantics', () => {
    const rules = compileRelabelConfigs([{ source_labels: ['m'], regex: 'a.b', action: 'keep' }], p2);
    expect(rules[0]!.semantics).toBe('prometheus-2');
    expect(relabel({ m: 'a\nb' }, rules)).toBeNull();
    expect(relabel({ m: 'a\nb' }, rules, { semantics: 'prometheus-3' })).toBeNull();
  });
});

describe('hashmod', () => {
  it('is the last 8 bytes of md5, big-endian, modulo', () => {
    // md5("foo") = acbd18db4cc2f85cedef654fccc4a4d8 → 0xedef654fccc4a4d8 % 10 = 6
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], modulus: 10, target_label: 'h', action: 'hashmod' }])).toEqual({ a: 'foo', h: String(0xedef654fccc4a4d8n % 10n) });
  });
});

describe('RE2 syntax', () => {
  it.each(['(?=a)', '(?!a)', '(?<=a)b', '(a)\\1'])('rejects %s with a clear error instead of running it in JavaScript', (regex) => {
    expect(() => compileRelabelConfigs([{ source_labels: ['a'], regex, action: 'keep' }])).toThrow(RelabelConfigError);
    expect(() => compileRelabelConfigs([{ source_labels: ['a'], regex, action: 'keep' }])).toThrow(/invalid regex/);
  });

  it('accepts what RE2 accepts, like (?i) and \\pL', () => {
    expect(new PromRegex('(?i)foo\\pL').matches('FOOé')).toBe(true);
  });
});

describe('configuration errors', () => {
  it.each<[RelabelConfig, RegExp]>([
    [{ action: 'replace', source_labels: ['a'] }, /replace action requires 'target_label' value/],
    [{ action: 'hashmod', source_labels: ['a'], target_label: 'x' }, /non-zero modulus/],
    [{ action: 'labeldrop', regex: 'a', target_label: 'x' }, /labeldrop action requires only 'regex', and no other fields/],
    [{ action: 'keepequal', source_labels: ['a'], target_label: 'x', regex: 'y' }, /keepequal action requires only 'source_labels' and `target_label`/],
    [{ action: 'explode' }, /unknown relabel action "explode"/],
    [{ action: null }, /relabel action cannot be empty/],
  ])('%j', (config, message) => {
    expect(() => compileRelabelConfigs([config])).toThrow(message);
  });
});

describe('fast paths agree with the regex engine', () => {
  it.each([
    ['(.*)', 'a\nb'],
    ['(.*)', 'abc'],
    ['true', 'true'],
    ['true', 'True'],
    ['default;kubernetes;https', 'default;kubernetes;https'],
  ])('%s on %j', (source, value) => {
    for (const semantics of ['prometheus-3', 'prometheus-2'] as const) {
      const fast = new PromRegex(source, semantics);
      const slow = new PromRegex(`(?:${source})`, semantics); // defeats the fast paths
      expect(fast.matches(value)).toBe(slow.matches(value));
      expect(fast.match(value)).toEqual(slow.match(value));
    }
  });
});

describe('label set copies', () => {
  it('keep every label, a label named __proto__ included, as its own label (not the prototype)', () => {
    const labels = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
    const out = relabel(labels, [{ source_labels: ['a'], target_label: 'c' }])!;
    expect(Object.keys(out)).toEqual(['__proto__', 'a', 'c']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(labels).toEqual(JSON.parse('{"__proto__":"x","a":"b"}'));
  });

  // Valid Prometheus label names that are also members of Object.prototype: a set without
  // them must read as "label missing" (the empty string), not as the prototype's member.
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('treat a missing label named %s as missing, and set it as a label', (name) => {
    expect(relabel({ a: 'x' }, [{ source_labels: [name, 'a'], target_label: 'b' }])).toEqual({ a: 'x', b: ';x' });
    expect(relabel({ a: 'x' }, [{ source_labels: [name], regex: '', action: 'keep' }])).toEqual({ a: 'x' });
    expect(relabel({ a: '' }, [{ source_labels: ['a'], target_label: name, action: 'keepequal' }])).toEqual({ a: '' });
    const set = relabel({ a: 'x' }, [{ source_labels: ['a'], target_label: name }])!;
    expect(Object.getOwnPropertyDescriptor(set, name)?.value).toBe('x');
    expect(Object.getPrototypeOf(set)).toBe(Object.prototype);
    expect(relabel({ a: 'x' }, [{ source_labels: ['a'], target_label: name }, { source_labels: [name], target_label: 'c' }])).toMatchObject({ c: 'x' });
  });
});

describe('PromRegex answers plain patterns natively, as RE2 would', () => {
  const PATTERNS = ['kubelet_volume_stats_.+', 'a.b', '(foo|bar)_.*', 'x+?y', '(a*)*b', 'node_load(1|5|15)', '.*', 'a(b|)c', ...['kubelet', 'cadvisor', 'apiserver', 'kubeStateMetrics', 'nodeExporter', 'agent', 'prometheus'].map((j) => allowlistRegex(j as never))];
  const VALUES = ['', 'a', 'ab', 'a\nb', 'a\rb', 'a\u2028b', 'a😀b', 'aXb', 'foo_x', 'bar_\n', 'xxy', 'b', 'aab', 'node_load5', 'node_load15x', 'ac', 'abc', 'kubelet_volume_stats_used_bytes', 'go_goroutines', 'container_memory_rss', 'prometheus_remote_storage_samples_failed_total'];
  it.each(['prometheus-3', 'prometheus-2'] as const)('%s: every pattern and value', (semantics) => {
    for (const source of PATTERNS) {
      const ours = new PromRegex(source, semantics);
      const re2 = RE2JS.compile(semantics === 'prometheus-3' ? `^(?s:${source})$` : `^(?:${source})$`);
      for (const value of VALUES) expect(ours.matches(value), `${source} on ${JSON.stringify(value)}`).toBe(re2.matcher(value).matches());
    }
  });
});
