// Credentials as MLflow's own client reads them: MLFLOW_TRACKING_USERNAME + PASSWORD give Basic
// auth (and win), else MLFLOW_TRACKING_TOKEN gives Bearer. Only ever from the environment.
import { CREDENTIAL_PARAMS } from '../common/secrets.ts';

export interface Credentials {
  /** The Authorization header value. */
  authorization?: string;
  /** Every secret string, so anything printed can be scrubbed of them. */
  secrets: string[];
}

export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const user = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  const token = env.MLFLOW_TRACKING_TOKEN;
  const secrets = [password, token].filter((s): s is string => Boolean(s && s.length >= 4));
  if (user && password) {
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    return { authorization: `Basic ${basic}`, secrets: [...secrets, basic] };
  }
  if (token) return { authorization: `Bearer ${token}`, secrets };
  return { secrets };
}

/** Query (or fragment: `#access_token=...`) parameters that carry credentials in URLs (`?token=...`). */
const SECRET_QUERY = new RegExp(`([?&#](?:${CREDENTIAL_PARAMS}|signature)=)[^&#\\s]*`, 'gi');

/** The variables MLflow's client reads credentials and TLS identity from. */
export const MLFLOW_CREDENTIAL_VARIABLES = [
  'MLFLOW_TRACKING_USERNAME',
  'MLFLOW_TRACKING_PASSWORD',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_TRACKING_AUTH',
  'MLFLOW_TRACKING_CLIENT_CERT_PATH',
  'MLFLOW_TRACKING_SERVER_CERT_PATH',
  'MLFLOW_TRACKING_INSECURE_TLS',
  'MLFLOW_TRACKING_URI',
  'MLFLOW_REGISTRY_URI',
] as const;

/** `env` without any MLflow credential or server variable: a clean MLflow environment to add to. */
export function withoutMlflowCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of MLFLOW_CREDENTIAL_VARIABLES) delete out[name];
  return out;
}

/** Replaces every known secret (userinfo and credential query parameters in URLs) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  // The userinfo after a scheme, found from the "://" back (a lookbehind): `\w+://` matched forward
  // backtracks over every word, quadratic in a long one (a 400,000-character word took 67 s).
  let out = text.replace(/(?<=\w:\/\/)[^/\s@]+@/g, '***@').replace(SECRET_QUERY, '$1***');
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** Every string inside `value` (a scenario, a report), keys too (a hook's label), with credentials stripped. */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k, secrets), redactDeep(v, secrets)])) as T;
  return value;
}

/**
 * The tracking URI without userinfo, fit to print. A fragment is never sent to a server, so it can only be
 * something the user pasted along (a token, in some OAuth flows): not shown.
 */
export function displayUri(uri: string): string {
  return redact(uri, []).replace(/#.*$/s, '#***');
}
