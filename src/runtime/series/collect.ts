/**
 * Forgetting the label sets an agent no longer writes. Pods come and go, and
 * each new pod brings new series; without this the agent's LabelSets (and
 * each sender's encoded pairs) would grow for as long as it runs. Prometheus'
 * agent forgets series at its WAL checkpoints; this agent does it when the
 * table has grown to twice what was live at the last collection.
 *
 * A collection marks every set number a holder still refers to, compacts the
 * table (LabelSets.compact) and has every holder map its numbers to the new
 * ones. It must run when no holder has numbers the collector cannot see:
 * the agent runs it between scrapes (none under way), never during one.
 */
import type { LabelSets } from './label-sets.js';

/** Something that keeps set numbers: it marks them, then maps them to their new numbers. */
export interface SetHolder {
  /** Sets live[id] = 1 for every set number it refers to. */
  markSets(live: Uint8Array): void;
  /** Replaces every set number it refers to with remap[id] (never -1 for a marked one). */
  remapSets(remap: Int32Array): void;
}

/** When a collection is due: the table has at least doubled since the last one, by at least `minGrowth` sets. */
export function collectionDue(sets: LabelSets, liveAtLastCollection: number, minGrowth: number): boolean {
  return sets.size >= 2 * liveAtLastCollection && sets.size - liveAtLastCollection >= minGrowth;
}

/**
 * Forgets the sets no holder refers to, unless they are fewer than half the
 * table: renumbering has a cost (each sender writes the series records of
 * its new refs to its WAL again), worth paying only to halve the table.
 * Returns the sets there were, those left and those live.
 */
export function collectSets(sets: LabelSets, holders: Iterable<SetHolder>): { before: number; after: number; live: number } {
  const before = sets.size;
  const live = new Uint8Array(before);
  const all = [...holders];
  for (const h of all) h.markSets(live);
  let count = 0;
  for (let id = 0; id < before; id++) count += live[id]!;
  if (2 * count > before) return { before, after: before, live: count };
  const remap = sets.compact(live);
  for (const h of all) h.remapSets(remap);
  return { before, after: sets.size, live: count };
}
