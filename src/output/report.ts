/**
 * Large reports (`k8smon targets` on a big cluster: 12 MB of table, 100 MB of
 * JSON) written in pieces, so no report is ever one string in memory.
 * prettyJsonPieces gives exactly JSON.stringify(doc, null, 2)'s bytes, the
 * elements of the document's top-level arrays one at a time.
 */
const INDENT = '  ';

function indented(text: string, prefix: string): string {
  return text.replace(/\n/g, `\n${prefix}`);
}

export function* prettyJsonPieces(doc: Record<string, unknown>): Generator<string> {
  const members = Object.entries(doc).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (members.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let m = 0; m < members.length; m++) {
    const [key, value] = members[m]!;
    yield `${INDENT}${JSON.stringify(key)}: `;
    if (Array.isArray(value) && value.length > 0) {
      yield '[\n';
      for (let i = 0; i < value.length; i++) {
        const element = JSON.stringify(value[i], null, 2) ?? 'null';
        yield `${INDENT}${INDENT}${indented(element, INDENT + INDENT)}${i < value.length - 1 ? ',' : ''}\n`;
      }
      yield `${INDENT}]`;
    } else {
      yield indented(JSON.stringify(value, null, 2), INDENT);
    }
    yield m < members.length - 1 ? ',\n' : '\n';
  }
  yield '}';
}

/** Where a report goes: a stream (stdout) that may ask the writer to wait. */
export interface TextSink {
  write(chunk: string): boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes text pieces in batches of about `batchSize` characters, waiting for
 * the stream to drain when it asks to: stdout into a pipe is asynchronous, and
 * without waiting a whole large report would queue up in memory.
 */
export async function writePieces(out: TextSink, pieces: Iterable<string>, batchSize = 1 << 20): Promise<void> {
  let batch = '';
  const flush = async (text: string): Promise<void> => {
    if (!out.write(text) && out.once !== undefined) await new Promise<void>((resolve) => out.once!('drain', resolve));
  };
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= batchSize) {
      await flush(batch);
      batch = '';
    }
  }
  if (batch !== '') await flush(batch);
}

/** JSON.stringify(doc, null, 2) and a newline, written in batches. */
export async function writePrettyJson(out: TextSink, doc: Record<string, unknown>, batchSize?: number): Promise<void> {
  await writePieces(out, (function* () {
    yield* prettyJsonPieces(doc);
    yield '\n';
  })(), batchSize);
}
