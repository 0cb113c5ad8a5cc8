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
  const prom = format === 'prometheus-text';
  const make = (latin1: boolean): ParserBase =>
    prom ? new PromTextParser('', latin1, options, onSample, options.onMetadata) : new OpenMetricsParser('', latin1, options, onSample, options.onMetadata);
  if (typeof input === 'string') {
    // promparse reads the payload with a newline appended.
    const text = prom && (input.length === 0 || input.charCodeAt(input.length - 1) !== 10) ? `${input}\n` : input;
    return { format, samples: make(false).feed(text, true) };
  }
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // Runs are decoded as Latin-1, one char per byte: V8 decodes UTF-8 with
  // any non-ASCII byte in it some 25 times slower. A run that is all ASCII
  // reads the same either way; in another, the labels and HELP texts that
  // hold such bytes are decoded as UTF-8 one by one.
  const parser = make(!isUtf8(buf));
  let samples = 0;
  let carry = '';
  let carryAscii = true;
  /** Where the text being parsed starts in `buf` (the carried part included). */
  let textStart = 0;
  let pos = 0;
  do {
    let end = buf.length;
    if (pos + RUN_BYTES < buf.length) {
      const nl = buf.indexOf(10, pos + RUN_BYTES);
      if (nl !== -1) end = nl + 1;
    }
    const final = end >= buf.length;
    const ascii: boolean = carryAscii && isAscii(buf.subarray(pos, end));
    let text = carry + buf.toString('latin1', pos, end);
    if (final && prom && (text.length === 0 || text.charCodeAt(text.length - 1) !== 10)) text += '\n';
    if (parser.ended) {
      if (!prom && text.length > 0) throw new ExpositionError(linesBefore(buf, textStart) + 1, 'unexpected data after # EOF');
      break;
    }
    try {
      samples += parser.feed(text, final, !ascii);
      carry = '';
      carryAscii = true;
      textStart = end;
    } catch (e) {
      if (e === NEED_MORE) {
        carry = text.slice(parser.entryOffset);
        carryAscii = ascii;
        textStart += parser.entryOffset;
      } else if (e instanceof ExpositionError) throw new ExpositionError(e.line + linesBefore(buf, textStart), e.reason);
      else throw e;
    }
    pos = end;
  } while (pos < buf.length);
  return { format, samples };
}

/** Newlines in buf[0, end): how many lines precede the text that starts there. */
function linesBefore(buf: Buffer, end: number): number {
  let lines = 0;
  for (let k = buf.indexOf(10); k !== -1 && k < end; k = buf.indexOf(10, k + 1)) lines++;
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
