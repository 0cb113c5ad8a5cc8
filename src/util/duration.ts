/** Prometheus durations (`1h30m`, `15s`), as the schema pattern accepts them. */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** Milliseconds in a duration, or null when it is not a Prometheus duration. */
export function durationMs(text: string): number | null {
  const re = /([0-9]+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? total : null;
}
