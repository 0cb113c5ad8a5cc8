/**
 * Drives the real binary in a pseudo-terminal: util-linux `script` gives the
 * child a PTY and relays our pipe to it, so prompts behave as for a person.
 */
import { execa, type ResultPromise } from 'execa';
import { requireTool } from './tools.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]/g;

export const KEYS = { enter: '\r', down: '\u001b[B', up: '\u001b[A', space: ' ', ctrlC: '\u0003' } as const;

export class PtySession {
  private output = '';
  private readonly child: ResultPromise;

  constructor(command: string[], env: Record<string, string>, cwd: string) {
    const script = requireTool('script', 'apt-get install util-linux');
    const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    this.child = execa(script, ['-qfec', quoted, '/dev/null'], { env: { TERM: 'xterm', COLUMNS: '200', LINES: '50', ...env }, cwd, reject: false, stdin: 'pipe', extendEnv: true });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString('utf8');
    });
  }

  text(): string {
    return this.output.replace(ANSI, '');
  }

  /** Waits until the screen shows `pattern` (after everything seen so far). */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const start = Date.now();
    while (!pattern.test(this.text())) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}; screen:\n${this.text().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async send(keys: string): Promise<void> {
    this.child.stdin?.write(keys);
    await new Promise((r) => setTimeout(r, 150));
  }

  async answer(prompt: RegExp, keys: string): Promise<void> {
    await this.waitFor(prompt);
    await this.send(keys);
  }

  async exit(): Promise<number> {
    const result = await this.child;
    return result.exitCode ?? -1;
  }
}
