/**
 * The exposition parser beyond Prometheus' tables: payloads parsed in runs
 * (a label value holding a newline across a run boundary, line numbers past
 * the first run), Buffers and strings alike, duplicate label names, the
 * `_created` series, and what Prometheus 2 and 3 do differently to `le`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExpositionError, ExpositionStream, formatForContentType, scanExposition } from '../src/runtime/scrape/parse.js';
import { parseExposition } from '../src/runtime/scrape/exposition.js';
import { parseGoFloat, parseGoFloatAt } from '../src/runtime/scrape/go-format.js';
import { FIXTURE_FILES } from './support/fixtures.js';

function collect(input: string | Buffer, options: Parameters<typeof scanExposition>[2] = {}): { labels: Record<string, string>; value: number; t: number | undefined }[] {
  const out: { labels: Record<string, string>; value: number; t: number | undefined }[] = [];
  scanExposition(input, (labels, value, t) => out.push({ labels, value, t }), options);
  return out;
}

function error(run: () => unknown): ExpositionError {
  try {
    run();
  } catch (e) {
    if (e instanceof ExpositionError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('exposition parser', () => {
  it('reads every fixture the same from a Buffer (in 64 KiB runs) as from one string', () => {
    for (const file of Object.values(FIXTURE_FILES)) {
      const buf = readFileSync(new URL(`./fixtures/metrics/${file}`, import.meta.url));
      const fromBuffer = collect(buf);
      expect(fromBuffer.length).toBeGreaterThan(100);
      expect(fromBuffer).toEqual(collect(buf.toString('utf8')));
    }
  });

  it('reads a payload streamed in chunks of any sizes (split inside lines, quoted newlines and UTF-8 characters) as the same payload whole', () => {
    const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p as string)));
    const filler = 'x{a="b"} 1\n'.repeat(7_000);
    const payloads: [Buffer, 'prometheus-text' | 'openmetrics'][] = [
      [readFileSync(new URL('./fixtures/metrics/cadvisor.prom', import.meta.url)), 'prometheus-text'],
      [Buffer.from(`${filler}multi{v="line one\nline two",w="z"} 7\nafter{é="ü"} 1`), 'prometheus-text'],
      [Buffer.from(`${filler}bad{a="b" 1\n${filler}`), 'prometheus-text'],
      // Not UTF-8 only past the first run: the bad bytes are named, with their line.
      [bytes('x{a="café"} 1\n', filler, 'y{a="', [0xc3], '"} 1\n', filler), 'prometheus-text'],
      [bytes('# HELP h caf', [0xff], '\n', filler), 'prometheus-text'],
      [Buffer.from(`${filler.replaceAll('x{', 'om{')}# EOF\n`), 'openmetrics'],
      [Buffer.from(`# EOF\n${filler}`), 'openmetrics'],
    ];
    const run = (feed: (s: ExpositionStream) => void, format: 'prometheus-text' | 'openmetrics'): unknown => {
      const out: unknown[] = [];
      try {
        const s = new ExpositionStream((labels, value, t) => out.push([labels, value, t]), { format });
        feed(s);
        return { samples: out, count: s.end().samples };
      } catch (e) {
        if (e instanceof ExpositionError) return { samples: out.length, line: e.line, reason: e.reason };
        throw e;
      }
    };
    for (const [payload, format] of payloads) {
      const whole = run((s) => s.write(payload), format);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 150_000 }), { minLength: 1, maxLength: 12 }), (sizes) => {
          const chunked = run((s) => {
            let at = 0;
            for (let i = 0; at < payload.length; i++) {
              const n = sizes[i % sizes.length]!;
              s.write(payload.subarray(at, at + n));
              at += n;
            }
          }, format);
          expect(chunked).toEqual(whole);
        }),
        { numRuns: 15 },
      );
    }
    expect(run((s) => s.write(payloads[3]![0]), 'prometheus-text')).toMatchObject({ line: 7_002, reason: 'invalid UTF-8 label value: "\\"\\xc3\\""' });
  });

  it('reads a sample value in place exactly as strconv.ParseFloat of its text (random decimals, signs, exponents, 15 and 16 digits)', () => {
    const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
    const decimal = fc
      .tuple(fc.constantFrom('', '-', '+'), digits(17), fc.option(fc.tuple(fc.constant('.'), fc.oneof(digits(17), fc.constant(''))), { nil: undefined }), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), digits(3)), { nil: undefined }))
      .map(([sign, whole, fraction, exponent]) => sign + whole + (fraction?.join('') ?? '') + (exponent?.join('') ?? ''));
    const anything = fc.stringMatching(/^[-+.eE0-9_xp]{0,12}$/);
    const cases = [fc.double().map(String), decimal, anything, fc.integer().map((n) => `${n / 1000}`)];
    fc.assert(
      fc.property(fc.oneof(...cases), fc.string({ maxLength: 3 }), (text, around) => {
        const line = `${around}${text}${around}`;
        const inPlace = parseGoFloatAt(line, around.length, around.length + text.length);
        expect(Object.is(inPlace, parseGoFloat(text)) || (typeof inPlace === 'object' && JSON.stringify(inPlace) === JSON.stringify(parseGoFloat(text)))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('counts the samples of cadvisor.prom as its sample lines', () => {
    const text = readFileSync(new URL('./fixtures/metrics/cadvisor.prom', import.meta.url), 'utf8');
    const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    expect(scanExposition(Buffer.from(text), () => {}).samples).toBe(lines);
  });

  it('joins a label value that holds a newline across the boundary of two runs', () => {
    const filler = `${'x{a="b"} 1\n'.repeat(70_000 / 11)}`;
    const payload = `${filler}multi{v="line one\nline two",w="z"} 7\nafter 1\n`;
    const samples = collect(Buffer.from(payload));
    expect(samples.at(-2)).toEqual({ labels: { __name__: 'multi', v: 'line one\nline two', w: 'z' }, value: 7, t: undefined });
    expect(samples.at(-1)!.labels.__name__).toBe('after');
  });

  it('gives the line number of a bad line far into a payload', () => {
    const good = 'ok_metric{a="b"} 1\n'.repeat(10_000);
    const e = error(() => collect(Buffer.from(`${good}bad{a="b" 1\n`)));
    expect(e.line).toBe(10_001);
    expect(e.message).toBe('line 10001: expected label name, got "1" ("INVALID") while parsing: "bad{a=\\"b\\" 1"');
  });

  it('reads OpenMetrics in runs: # EOF at the very end, data after it refused, a line number past the first run', () => {
    const body = 'om_metric{a="b"} 1\n'.repeat(8_000); // ~150 KB: three runs
    expect(collect(Buffer.from(`${body}# EOF\n`), { format: 'openmetrics' })).toHaveLength(8_000);
    expect(error(() => collect(Buffer.from(body), { format: 'openmetrics' })).reason).toBe('data does not end with # EOF');
    const after = error(() => collect(Buffer.from(`# EOF\n${body}`), { format: 'openmetrics' }));
    expect(after.reason).toBe('unexpected data after # EOF');
    const bad = error(() => collect(Buffer.from(`${body}om_metric{a="b"}  1\n# EOF\n`), { format: 'openmetrics' }));
    expect(bad.line).toBe(8_001);
    expect(bad.reason).toBe('expected value after metric, got "  " ("INVALID") while parsing: "om_metric{a=\\"b\\"}  "');
  });

  it('refuses a label name given twice, as Prometheus\' storage refuses the series', () => {
    const e = error(() => collect('a{x="1"} 1\nb{y="1",z="2",y="3"} 2\n'));
    expect(e.line).toBe(2);
    expect(e.reason).toBe('label name "y" is not unique: invalid sample');
    // The same names as the line before, then a repeat: the repeat is caught.
    expect(error(() => collect('c{p="1",q="2"} 1\nc{p="1",q="2",p="3"} 1\n')).reason).toBe('label name "p" is not unique: invalid sample');
    expect(error(() => collect('d{__name__="e"} 1\n')).reason).toBe('label name "__name__" is not unique: invalid sample');
  });

  it('keeps label names that are Object.prototype members as plain labels', () => {
    const [s] = collect('m{constructor="c",__proto__="p",toString="t"} 1\n');
    expect(Object.keys(s!.labels)).toEqual(['__name__', 'constructor', '__proto__', 'toString']);
    expect(s!.labels.__proto__).toBe('p');
  });

  it('ingests OpenMetrics _created series as samples by default, and leaves them out like created-timestamp zero ingestion when asked', () => {
    const om = '# TYPE foo counter\nfoo_total 17.0 1520879607.789\nfoo_created 1520872607.123\n# TYPE g gauge\ng_created 3\n# EOF\n';
    expect(collect(om, { format: 'openmetrics' }).map((s) => [s.labels.__name__, s.value, s.t])).toEqual([
      ['foo_total', 17, 1520879607789],
      ['foo_created', 1520872607.123, undefined],
      ['g_created', 3, undefined],
    ]);
    expect(collect(om, { format: 'openmetrics', skipCreatedSeries: true }).map((s) => s.labels.__name__)).toEqual(['foo_total', 'g_created']);
  });

  it('writes le and quantile in the canonical float form for Prometheus 3, as exposed for Prometheus 2', () => {
    const text = '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="1e6"} 1\nh_bucket{le="0.00001"} 1\n# TYPE s summary\ns{quantile="1"} 2\n';
    expect(collect(text).map((s) => s.labels.le ?? s.labels.quantile)).toEqual(['1.0', '1e+06', '1e-05', '1.0']);
    expect(collect(text, { normalizeBucketLabels: false }).map((s) => s.labels.le ?? s.labels.quantile)).toEqual(['1', '1e6', '0.00001', '1']);
  });

  it('reads NaN, ±Inf, escapes and millisecond timestamps of the text format', () => {
    const [a, b, c] = collect('a{v="q\\"\\\\\\n\\t"} NaN 1700000000000\nb +Inf\nc -Inf\n');
    expect(a).toEqual({ labels: { __name__: 'a', v: 'q"\\\n\\t' }, value: NaN, t: 1700000000000 });
    expect(b!.value).toBe(Infinity);
    expect(c!.value).toBe(-Infinity);
  });

  it('names the bytes of a payload that is not UTF-8 as Prometheus does', () => {
    const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p as string)));
    const help = error(() => collect(bytes('ok 1\n# HELP h caf', [0xff], '\nx 1\n')));
    expect(help.line).toBe(2);
    expect(help.reason).toBe('help text "caf\\xff" is not a valid utf8 string');
    const value = error(() => collect(bytes('# HELP h café\nx{a="', [0xc3], '"} 1\n')));
    expect(value.line).toBe(2);
    expect(value.reason).toBe('invalid UTF-8 label value: "\\"\\xc3\\""');
    // Elsewhere such bytes pass, and the rest of the payload reads as UTF-8.
    expect(collect(bytes('# a comment \xe9 ', [0xff], '\nx{a="café"} 1\n'))[0]!.labels.a).toBe('café');
  });

  it('keeps its callers that want an array working (parseExposition)', () => {
    const samples = parseExposition('up{job="a"} 1 1000\ndown 0\n');
    expect(samples).toEqual([
      { labels: { __name__: 'up', job: 'a' }, value: 1, timestampMs: 1000 },
      { labels: { __name__: 'down' }, value: 0 },
    ]);
  });

  it('chooses the parser from the Content-Type as Prometheus 3 and 2 do', () => {
    expect(formatForContentType('application/openmetrics-text; version=1.0.0; charset=utf-8', 'prometheus-3').format).toBe('openmetrics');
    expect(formatForContentType('text/plain; version=0.0.4', 'prometheus-3').format).toBe('prometheus-text');
    expect(() => formatForContentType('', 'prometheus-3')).toThrow('non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target');
    expect(() => formatForContentType('application/json', 'prometheus-3')).toThrow('received unsupported Content-Type "application/json" and no fallback_scrape_protocol specified for target');
    expect(formatForContentType('application/json', 'prometheus-3', 'prometheus-text')).toEqual({ format: 'prometheus-text', warning: 'received unsupported Content-Type "application/json", using fallback_scrape_protocol "PrometheusText0.0.4"' });
    expect(formatForContentType('', 'prometheus-2').format).toBe('prometheus-text');
  });
});
