/** `k8smon presets`, the work: list the built-in presets, or print one. */
import { listPresets, presetSource } from '../../profile/presets.js';
import type { CommandContext } from '../context.js';
import type { PresetsOptions } from './presets.js';

export async function run(options: PresetsOptions, ctx: CommandContext): Promise<void> {
  if (options.show !== undefined) {
    ctx.stdout.write(presetSource(options.show));
    return;
  }
  const presets = listPresets();
  const width = Math.max(...presets.map((p) => p.name.length));
  for (const p of presets) ctx.stdout.write(`${p.name.padEnd(width)}  ${p.description}\n`);
}
