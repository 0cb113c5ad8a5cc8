/**
 * Exposition parsing, the entry point: the format chosen from the response's
 * Content-Type as Prometheus chooses it, the payload decoded once (a Buffer
 * that is not valid UTF-8 is read byte by byte so that errors name the bad
 * bytes, as Prometheus does), and each sample handed to a callback: nothing
 * is collected unless the caller collects it.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { PromSemantics } from '../semantics/version.js';
import { OpenMetricsParser } from './openmetrics.js';
import { ExpositionError, NEED_MORE, type MetadataHandler, type ParserBase, type ParseOptions, type SampleHandler } from './parser-base.js';
import { PromTextParser } from './prom-text.js';

export { ExpositionError, type MetadataHandler, type ParseOptions, type SampleHandler };

export type ExpositionFormat = 'prometheus-text' | 'openmetrics';

export interface ScanOptions extends ParseOptions {
  /** The format; when absent, chosen from `contentType` (default: the Prometheus text format). */
  format?: ExpositionFormat;
  onMetadata?: MetadataHandler;
}

export interface ScanResult {
  format: ExpositionFormat;
  /** Samples handed to the callback. */
  samples: number;
}

/**
 * A Buffer is decoded and parsed in runs of about this many bytes, cut after
 * a newline: a string of a few MB costs several times more to allocate than
 * the same text in runs (V8's large-object space), and the payload is then
 * held once as bytes, never as bytes plus one whole string.
 */
const RUN_BYTES = 64 * 1024;

/** Parses a whole payload, calling `onSample` for each sample in order; throws an ExpositionError at the first bad line. */
export function scanExposition(input: string | Uint8Array, onSample: SampleHandler, options: ScanOptions = {}): ScanResult {
  const format = options.format ?? 'prometheus-text';
  if (typeof input === 'string') {
    const prom = format === 'prometheus-text';
    // promparse reads the payload with a newline appended.
    const text = prom && (input.length === 0 || input.charCodeAt(input.length - 1) !== 10) ? `${input}\n` : input;
    const parser = prom ? new PromTextParser('', false, options, onSample, options.onMetadata) : new OpenMetricsParser('', false, options, onSample, options.onMetadata);
    return { format, samples: parser.feed(text, true) };
  }
  const stream = new ExpositionStream(onSample, options);
  stream.write(input);
  return stream.end();
}

/**
 * A payload parsed as its bytes arrive (a scrape's response body, gunzipped
 * chunk by chunk), so that not even a large payload is ever held whole: only
 * the run being parsed and the unfinished line after it are.
 *
 * Runs are decoded as Latin-1, one char per byte: V8 decodes UTF-8 with any
 * non-ASCII byte in it some 25 times slower. A run that is all ASCII reads
 * the same either way; in another, the labels and HELP texts that hold such
 * bytes are decoded as UTF-8 one by one, and a run that is not valid UTF-8
 * has its label values checked where Prometheus checks them. Runs end at a
 * newline, so a run is valid UTF-8 exactly when its lines are.
 */
export class ExpositionStream {
  private readonly format: ExpositionFormat;
  private readonly prom: boolean;
  private readonly parser: ParserBase;
  /** Bytes received and not parsed yet (an unfinished run), pending[0, used). */
  private pending: Buffer | undefined;
  private used = 0;
  private samples = 0;
  /** The text of an entry that a run ended inside (a quoted newline): parsed again with the next run. */
  private carry = '';
  private carryAscii = true;
  private carryValid = true;
  /** Lines before the text being parsed (for the line numbers of errors). */
  private lines = 0;
  private done = false;

  constructor(onSample: SampleHandler, options: ScanOptions = {}) {
    this.format = options.format ?? 'prometheus-text';
    this.prom = this.format === 'prometheus-text';
    this.parser = this.prom ? new PromTextParser('', false, options, onSample, options.onMetadata) : new OpenMetricsParser('', false, options, onSample, options.onMetadata);
  }

  /** Parses what `chunk` completes; throws an ExpositionError at the first bad line. */
  write(chunk: Uint8Array): void {
    if (this.done || chunk.length === 0) return;
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.used > 0) {
      this.keep(data, 0);
      data = this.pending!.subarray(0, this.used);
      this.used = 0;
    }
    let pos = 0;
    while (data.length - pos > RUN_BYTES && !this.done) {
      const nl = data.indexOf(10, pos + RUN_BYTES);
      if (nl === -1) break;
      this.run(data, pos, nl + 1, false);
      pos = nl + 1;
    }
    if (pos < data.length && !this.done) this.keep(data, pos);
  }

  /** Parses the rest: the payload has ended. */
  end(): ScanResult {
    if (!this.done) {
      const rest = this.pending?.subarray(0, this.used) ?? Buffer.alloc(0);
      this.used = 0;
      this.run(rest, 0, rest.length, true);
    }
    this.pending = undefined;
    return { format: this.format, samples: this.samples };
  }

  /** Keeps data[from, end) for the next write, after what is kept already. */
  private keep(data: Buffer, from: number): void {
    const n = data.length - from;
    if (this.pending === undefined || this.used + n > this.pending.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * RUN_BYTES, 2 * (this.used + n)));
      if (this.pending !== undefined) this.pending.copy(bigger, 0, 0, this.used);
      this.pending = bigger;
    }
    if (data.buffer === this.pending.buffer && data.byteOffset === this.pending.byteOffset) this.pending.copyWithin(0, from, data.length);
    else data.copy(this.pending, this.used, from);
    this.used += n;
  }

  private run(buf: Buffer, pos: number, end: number, final: boolean): void {
    const bytes = buf.subarray(pos, end);
    const ascii = this.carryAscii && isAscii(bytes);
    const valid = ascii || (this.carryValid && isUtf8(bytes));
    let text = this.carry + buf.toString('latin1', pos, end);
    if (final && this.prom && (text.length === 0 || text.charCodeAt(text.length - 1) !== 10)) text += '\n';
    if (this.parser.ended) {
      if (!this.prom && text.length > 0) throw new ExpositionError(this.lines + 1, 'unexpected data after # EOF');
      this.done = true;
      return;
    }
    try {
      this.samples += this.parser.feed(text, final, !ascii, !valid);
      this.lines += newlines(text, text.length);
      this.carry = '';
      this.carryAscii = true;
      this.carryValid = true;
    } catch (e) {
      if (e === NEED_MORE) {
        const at = this.parser.entryOffset;
        this.lines += newlines(text, at);
        this.carry = text.slice(at);
        this.carryAscii = ascii;
        this.carryValid = valid;
      } else if (e instanceof ExpositionError) throw new ExpositionError(e.line + this.lines, e.reason);
      else throw e;
    }
  }
}

/** Newlines in text[0, end). */
function newlines(text: string, end: number): number {
  let lines = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < end; k = text.indexOf('\n', k + 1)) lines++;
  return lines;
}

export class ContentTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentTypeError';
  }
}

/**
 * The parser for a response's Content-Type, as Prometheus picks it
 * (textparse.New): Prometheus 3 refuses a blank or unknown type unless a
 * fallback protocol is configured (`fallback`), Prometheus 2 reads
 * anything that is not OpenMetrics as the text format.
 */
export function formatForContentType(contentType: string | undefined, semantics: PromSemantics, fallback?: ExpositionFormat): { format: ExpositionFormat; warning?: string } {
  const ct = contentType ?? '';
  const mediaType = ct.split(';')[0]!.trim().toLowerCase();
  if (semantics === 'prometheus-2') return { format: mediaType === 'application/openmetrics-text' ? 'openmetrics' : 'prometheus-text' };
  const fb = fallback === undefined ? undefined : fallback === 'openmetrics' ? 'OpenMetricsText1.0.0' : 'PrometheusText0.0.4';
  if (ct === '') {
    if (fallback === undefined) throw new ContentTypeError('non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target');
    return { format: fallback, warning: `non-compliant scrape target sending blank Content-Type, using fallback_scrape_protocol "${fb}"` };
  }
  if (mediaType === 'application/openmetrics-text') return { format: 'openmetrics' };
  if (mediaType === 'text/plain') return { format: 'prometheus-text' };
  if (fallback === undefined) throw new ContentTypeError(`received unsupported Content-Type "${ct}" and no fallback_scrape_protocol specified for target`);
  return { format: fallback, warning: `received unsupported Content-Type "${ct}", using fallback_scrape_protocol "${fb}"` };
}
