/**
 * Writing a config file for an agent started with `-config.expand-env`
 * (grafana-agent static mode, drone/envsubst): in the file's raw text, `$$`
 * reads as `$`, `\\` as `\`, `\/` as `/`, and `${NAME}` is replaced by the
 * environment variable. Escaping every `$` and `\` of the serialized text makes
 * the agent read back exactly what we wrote; only the references we mean stay
 * live.
 */

/** Escapes text so `-config.expand-env` leaves it exactly as it is. */
export function escapeForExpandEnv(text: string): string {
  return text.replace(/[$\\]/g, (ch) => ch + ch);
}

/**
 * Holds environment references while a config is serialized. A reference is
 * written into the object as a placeholder token made of letters and digits
 * only — serializers leave it alone, and the escaping above does not touch
 * it — and becomes `${NAME}` after escaping. The token is chosen so it occurs
 * nowhere else in the text.
 */
export class EnvReferences {
  private readonly token: string;

  constructor(textWithoutReferences: string) {
    let n = 0;
    while (textWithoutReferences.includes(`K8SMONENV${n}X`)) n++;
    this.token = `K8SMONENV${n}X`;
  }

  /** The placeholder to put in the object where `${name}` must end up. */
  ref(name: string): string {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${name}`);
    return `${this.token}${name}${this.token}`;
  }

  /** Escapes the serialized text, then turns placeholders into live `${NAME}` references. */
  finish(serialized: string): string {
    const pattern = new RegExp(`${this.token}([A-Z_][A-Z0-9_]*)${this.token}`, 'g');
    return escapeForExpandEnv(serialized).replace(pattern, (_m, name: string) => `\${${name}}`);
  }
}
