/**
 * JSON.stringify(doc, null, 2) in pieces: the elements of the document's
 * top-level arrays one at a time, so a 100 MB report (`targets -o json` on a
 * large cluster) is never one string in memory. The bytes are exactly
 * JSON.stringify's.
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

/** Where the report goes: a stream (stdout) that may ask the writer to wait. */
export interface JsonSink {
  write(chunk: string): boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes the pieces in batches of about `batchSize` characters, waiting for
 * the stream to drain when it asks to: stdout into a pipe is asynchronous, and
 * without waiting the whole report would queue up in memory.
 */
export async function writePrettyJson(out: JsonSink, doc: Record<string, unknown>, batchSize = 1 << 20): Promise<void> {
  let batch = '';
  const flush = async (text: string): Promise<void> => {
    if (!out.write(text) && out.once !== undefined) await new Promise<void>((resolve) => out.once!('drain', resolve));
  };
  for (const piece of prettyJsonPieces(doc)) {
    batch += piece;
    if (batch.length >= batchSize) {
      await flush(batch);
      batch = '';
    }
  }
  await flush(`${batch}\n`);
}
