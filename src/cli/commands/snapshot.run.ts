/** `k8smon snapshot`, the work: the cluster read page by page, written as JSON one object at a time. */
import { InvalidInputError } from '../../errors.js';
import { writePieces } from '../../output/report.js';
import type { Snapshot } from '../../runtime/semantics/snapshot.js';
import type { CommandContext } from '../context.js';
import { captureFor, currentContext } from '../preview/inputs.js';
import type { SnapshotOptions } from './snapshot.js';

/** `{"nodes":[…],…}` exactly as JSON.stringify writes it, one object at a time (a large cluster's snapshot is hundreds of MB). */
function* snapshotPieces(snapshot: Snapshot): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(snapshot).filter(([, v]) => v !== undefined)) {
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      yield JSON.stringify(value);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) yield `${i > 0 ? ',' : ''}${JSON.stringify(value[i])}`;
    yield ']';
  }
  yield first ? '{}\n' : '}\n';
}

export async function run(options: SnapshotOptions, ctx: CommandContext): Promise<void> {
  const { target } = options;
  // Checked before the cluster is read: capturing a large one takes minutes, and its JSON is no use on a screen.
  if ((ctx.stdout as { isTTY?: boolean }).isTTY === true) {
    throw new InvalidInputError('Not writing a snapshot to a terminal.', [
      { path: 'stdout', message: 'a snapshot is JSON for --snapshot (hundreds of MB on a large cluster); redirect it: k8smon snapshot --context prod > cluster.json' },
    ]);
  }
  if (target.context === undefined) {
    // Which cluster is read is said before anything is: a snapshot of the wrong one is a classic.
    const current = await currentContext(target);
    if (current === undefined) throw new InvalidInputError('No cluster to read.', [{ path: '--context', message: 'not given, and kubectl has no current context; pass --context (see kubectl config get-contexts)' }]);
    ctx.reporter.progress(`reading the cluster of kubectl context ${current}`);
  }
  await writePieces(ctx.stdout, snapshotPieces(await captureFor(target, ctx)));
}
