/** The agent's log: one JSON object per line ({"ts","level","msg",...}) on a stream, from a minimum level up. */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function jsonLogger(stream: { write(s: string): unknown }, minimum: LogLevel = 'info', now: () => Date = () => new Date()): Logger {
  const floor = LOG_LEVELS.indexOf(minimum);
  return (level, msg, fields = {}) => {
    if (LOG_LEVELS.indexOf(level) < floor) return;
    // ts, level and msg first, never overwritten by a field of the same name.
    const entry: Record<string, unknown> = { ts: now().toISOString(), level, msg };
    for (const [k, v] of Object.entries(fields)) if (!(k in entry) && v !== undefined) entry[k] = v instanceof Error ? v.message : v;
    stream.write(`${JSON.stringify(entry)}\n`);
  };
}
