/** `k8smon presets` and `k8smon presets show <name>`. */
import { listPresets, presetSource } from '../../profile/presets.js';
import type { CommandContext } from './render.js';

export async function presetsListCommand(ctx: CommandContext): Promise<void> {
  const presets = listPresets();
  const width = Math.max(...presets.map((p) => p.name.length));
  for (const p of presets) ctx.stdout.write(`${p.name.padEnd(width)}  ${p.description}\n`);
}

export async function presetsShowCommand(name: string, ctx: CommandContext): Promise<void> {
  ctx.stdout.write(presetSource(name));
}
