/**
 * Credentials for remote_write requests: files re-read on every request (so
 * rotated Secrets take effect without a restart), an OAuth2 client-credentials
 * token cached until shortly before it expires, and AWS Signature Version 4.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A credential file's content without its trailing newline(s), as Prometheus reads it. */
export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/[\r\n]+$/, '');
}

// ---- AWS Signature Version 4 ----------------------------------------------

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Credentials from the environment, as the AWS SDKs' first provider reads them. */
export function awsCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCredentials | undefined {
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (id === undefined || id === '' || secret === undefined || secret === '') return undefined;
  return { accessKeyId: id, secretAccessKey: secret, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

type StsResult = { credentials: AwsCredentials; expiresAt: number };

/** STS credentials kept until they expire, fetched once however many requests ask at the same time. */
class StsCredentialCache {
  private cached: StsResult | undefined;
  private pending: Promise<AwsCredentials> | undefined;

  constructor(
    private readonly now: () => number,
    private readonly exchange: () => Promise<StsResult>,
  ) {}

  async get(): Promise<AwsCredentials> {
    if (this.cached !== undefined && this.now() < this.cached.expiresAt) return this.cached.credentials;
    this.pending ??= this.exchange()
      .then((result) => {
        this.cached = result;
        return result.credentials;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

/**
 * IRSA / EKS Pod Identity's web identity: AWS_ROLE_ARN and
 * AWS_WEB_IDENTITY_TOKEN_FILE exchanged at STS (AssumeRoleWithWebIdentity, an
 * unsigned call) for temporary credentials, kept until 5 minutes before they
 * expire. The token file is re-read for every exchange (it is rotated).
 * STS is the regional endpoint, or AWS_ENDPOINT_URL_STS when set.
 */
export class WebIdentityCredentials {
  private readonly cache = new StsCredentialCache(() => this.now(), () => this.exchange());

  constructor(
    private readonly roleArn: string,
    private readonly tokenFile: string,
    private readonly region: string,
    private readonly post: (url: URL, headers: Record<string, string>, body: string) => Promise<{ status: number; body: string }>,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {}

  static fromEnv(region: string, post: WebIdentityCredentials['post'], env: NodeJS.ProcessEnv = process.env): WebIdentityCredentials | undefined {
    const role = env.AWS_ROLE_ARN;
    const file = env.AWS_WEB_IDENTITY_TOKEN_FILE;
    if (role === undefined || role === '' || file === undefined || file === '') return undefined;
    return new WebIdentityCredentials(role, file, region, post, env);
  }

  get(): Promise<AwsCredentials> {
    return this.cache.get();
  }

  private async exchange(): Promise<StsResult> {
    const endpoint = new URL(this.env.AWS_ENDPOINT_URL_STS || `https://sts.${this.region}.amazonaws.com/`);
    const body = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: this.roleArn,
      RoleSessionName: this.env.AWS_ROLE_SESSION_NAME || `k8smon-${this.now()}`,
      WebIdentityToken: readSecretFile(this.tokenFile),
    }).toString();
    const res = await this.post(endpoint, { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/xml' }, body);
    return stsCredentials(res, 'AssumeRoleWithWebIdentity', this.now);
  }
}

/**
 * sigv4.role_arn: STS AssumeRole, signed with the base credentials (keys or
 * web identity), for temporary credentials of the role; kept until 5 minutes
 * before they expire.
 */
export class AssumeRoleCredentials {
  private readonly cache = new StsCredentialCache(() => this.now(), () => this.exchange());

  constructor(
    private readonly roleArn: string,
    private readonly region: string,
    private readonly base: () => Promise<AwsCredentials | undefined>,
    private readonly post: (url: URL, headers: Record<string, string>, body: string) => Promise<{ status: number; body: string }>,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<AwsCredentials> {
    return this.cache.get();
  }

  private async exchange(): Promise<StsResult> {
    const base = await this.base();
    if (base === undefined) throw new Error('sigv4: role_arn needs base credentials (keys or a web identity) to assume it');
    const endpoint = new URL(this.env.AWS_ENDPOINT_URL_STS || `https://sts.${this.region}.amazonaws.com/`);
    const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: this.roleArn, RoleSessionName: `k8smon-${this.now()}` }).toString();
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const signed = signV4({ method: 'POST', url: endpoint, headers, body: Buffer.from(body), region: this.region, service: 'sts', credentials: base });
    const res = await this.post(endpoint, { ...headers, ...signed }, body);
    return stsCredentials(res, 'AssumeRole', this.now);
  }
}

function stsCredentials(res: { status: number; body: string }, action: string, now: () => number): StsResult {
  if (res.status !== 200) throw new Error(`sigv4: STS ${action} answered ${res.status}: ${res.body.slice(0, 300)}`);
  const field = (name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(res.body)?.[1];
  const id = field('AccessKeyId');
  const secret = field('SecretAccessKey');
  const token = field('SessionToken');
  if (id === undefined || secret === undefined || token === undefined) throw new Error(`sigv4: STS ${action} answer without credentials`);
  const expiration = Date.parse(field('Expiration') ?? '');
  return { credentials: { accessKeyId: id, secretAccessKey: secret, sessionToken: token }, expiresAt: (Number.isNaN(expiration) ? now() + 3_600_000 : expiration) - 300_000 };
}

const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 wants. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SigV4Request {
  method: string;
  url: URL;
  /** Headers to sign (host is added from the URL); names in any case. */
  headers: Record<string, string>;
  body: Uint8Array;
  region: string;
  service: string;
  credentials: AwsCredentials;
  date?: Date;
  /** S3 signs the path as it is; every other service encodes it once more (default). */
  doubleEncodePath?: boolean;
}

/**
 * The headers that sign a request with SigV4: Authorization, X-Amz-Date, and
 * X-Amz-Security-Token with temporary credentials. Every header given is
 * signed, with host.
 */
export function signV4(req: SigV4Request): Record<string, string> {
  const date = req.date ?? new Date();
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  headers.host = req.url.host;
  headers['x-amz-date'] = amzDate;
  if (req.credentials.sessionToken !== undefined) headers['x-amz-security-token'] = req.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const path = req.url.pathname === '' ? '/' : req.url.pathname;
  const canonicalPath = req.doubleEncodePath === false ? path : path.split('/').map(uriEncode).join('/');
  const query = [...req.url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const payloadHash = headers['x-amz-content-sha256'] ?? sha256Hex(req.body);
  const canonicalRequest = [req.method.toUpperCase(), canonicalPath, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${req.region}/${req.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${req.credentials.secretAccessKey}`, day), req.region), req.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  const out: Record<string, string> = {
    Authorization: `AWS4-HMAC-SHA256 Credential=${req.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    'X-Amz-Date': amzDate,
  };
  if (req.credentials.sessionToken !== undefined) out['X-Amz-Security-Token'] = req.credentials.sessionToken;
  return out;
}

// ---- OAuth2 client credentials ---------------------------------------------

export interface OAuth2Settings {
  clientId: string;
  clientSecret?: string;
  clientSecretFile?: string;
  tokenUrl: string;
  scopes: string[];
  endpointParams: Record<string, string>;
}

export type TokenFetcher = (url: URL, init: { method: 'POST'; headers: Record<string, string>; body: string }) => Promise<{ status: number; body: string }>;

/**
 * Client-credentials tokens (RFC 6749 §4.4): the client id and secret go in a
 * Basic Authorization header, as golang.org/x/oauth2 sends them first; the
 * token is kept until 10 s before `expires_in` runs out (or until the
 * receiver answers 401, see `invalidate`). The secret file is re-read for
 * every new token.
 */
export class OAuth2TokenSource {
  private token: { value: string; type: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly settings: OAuth2Settings,
    private readonly fetchToken: TokenFetcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Authorization header value. */
  async authorization(): Promise<string> {
    if (this.token !== undefined && this.now() < this.token.expiresAt) return `${this.token.type} ${this.token.value}`;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(): void {
    this.token = undefined;
  }

  private async refresh(): Promise<string> {
    const s = this.settings;
    const secret = s.clientSecretFile !== undefined ? readSecretFile(s.clientSecretFile) : (s.clientSecret ?? '');
    const params = new URLSearchParams({ grant_type: 'client_credentials', ...s.endpointParams });
    if (s.scopes.length > 0) params.set('scope', s.scopes.join(' '));
    const basic = Buffer.from(`${encodeURIComponent(s.clientId)}:${encodeURIComponent(secret)}`).toString('base64');
    const res = await this.fetchToken(new URL(s.tokenUrl), { method: 'POST', headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: params.toString() });
    if (res.status < 200 || res.status > 299) throw new Error(`oauth2: token endpoint answered ${res.status}: ${res.body.slice(0, 200)}`);
    let parsed: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(res.body) as typeof parsed;
    } catch {
      // Some servers answer form-encoded.
      parsed = Object.fromEntries(new URLSearchParams(res.body));
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') throw new Error('oauth2: server response missing access_token');
    const type = typeof parsed.token_type === 'string' && parsed.token_type.toLowerCase() !== 'bearer' ? parsed.token_type : 'Bearer';
    const expiresIn = Number(parsed.expires_in);
    // No expires_in: keep it for an hour (x/oauth2 keeps it until a 401; an hour bounds a silent revocation).
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_600_000;
    this.token = { value: parsed.access_token, type, expiresAt: this.now() + Math.max(0, lifetime - 10_000) };
    return `${type} ${parsed.access_token}`;
  }
}
