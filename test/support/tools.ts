/**
 * Real tools the suite checks output with. scripts/test.sh installs them; a
 * test that needs one fails (never skips) when it is missing.
 */
import { execFileSync } from 'node:child_process';

export function requireTool(command: string, installHint: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${command} is not installed; ${installHint} (scripts/test.sh installs it)`);
  }
}
