// Credentials as MLflow's own client reads them: MLFLOW_TRACKING_USERNAME + PASSWORD give Basic
// auth (and win), else MLFLOW_TRACKING_TOKEN gives Bearer. Only ever from the environment.

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

/** Replaces every known secret (and userinfo in URLs) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\w+:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/g, '$1***@');
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** The tracking URI without userinfo, fit to print. */
export function displayUri(uri: string): string {
  return redact(uri, []);
}
