// Whether a string looks like a credential (an HTTP auth value, a URI with userinfo or a credential
// query parameter), so a message about it can describe it without showing it.
const AUTH_VALUE = /^\s*(bearer|basic|token|digest)\s+\S{4,}/i;
const URI_USERINFO = /[a-z][\w+.-]*:\/\/[^/@\s]+@/i;
/** The names of URL query (or fragment) parameters that carry credentials, as a regular expression's alternation. */
export const CREDENTIAL_PARAMS = '[\\w.-]*token|password|passwd|pwd|secret|api[_-]?key|key|auth|sig';
const SECRET_QUERY = new RegExp(`[?&#](${CREDENTIAL_PARAMS})=`, 'i');

export function looksLikeCredential(text: string): boolean {
  return AUTH_VALUE.test(text) || URI_USERINFO.test(text) || SECRET_QUERY.test(text);
}

/** Key names that hold credentials (trimmed, any case): token, password, pwd, auth, private_key... */
const SECRET_KEY = new RegExp(
  '(token|passw(or)?d|pwd|secret|api[_-]?key|credential|private[_-]?key|authori[sz]ation|' +
    '^auth$|[_.-]auth$|^auth[_.-])',
  'i',
);

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.trim());
}
