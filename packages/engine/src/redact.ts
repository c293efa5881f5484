/**
 * Removes passwords from URLs. Every message that may quote a URL goes through here, so a
 * password typed into a connection string never reaches an error or a log, however malformed the
 * string is.
 *
 * The rule does not trust the URL to be well formed: everything from the first ":" after the
 * scheme (or from the first ":" at all, when there is no `scheme://`) up to the last "@" is the
 * password. It may mask more than the password (a port before an "@" in the query, say), never
 * less. One ambiguity is left, because nothing can tell: in `user://pw@host`, "user" reads as
 * the scheme and "pw" as the user.
 */
// A scheme and "://", after any quote or bracket that opens the token.
const SCHEME = /^[^a-z0-9:/@]*[a-z][a-z0-9+.-]*:\/\//i;
const PASSWORD_PARAM = /([?&](?:password|pass|pwd|sslpassword)=)[^&\s#]*/gi;

/**
 * Masks the password of one URL, the whole string taken as the URL (so a password that holds
 * white space is masked too). Use it where a URL given by a user is quoted.
 *
 * ```ts
 * redactUrl("postgres://app:hunter2@db/prod"); // "postgres://app:***@db/prod"
 * redactUrl("postgres:app:hunter2@db");        // "postgres:***@db"
 * ```
 */
export function redactUrl(url: string): string {
  return maskUserinfo(String(url)).replace(PASSWORD_PARAM, "$1***");
}

/**
 * Masks the passwords of the URLs in free text (a message, a log line, a stack). A token is a
 * run of characters without white space: a password holding white space is masked only by
 * {@link redactUrl}, which knows where its URL begins and ends.
 */
export function redactUrls(text: string): string {
  return String(text)
    .replace(/\S*@\S*/g, maskUserinfo)
    .replace(PASSWORD_PARAM, "$1***");
}

function maskUserinfo(text: string): string {
  const at = text.lastIndexOf("@");
  if (at === -1) return text;
  const colon = text.indexOf(":", SCHEME.exec(text)?.[0].length ?? 0);
  if (colon === -1 || colon > at) return text;
  return `${text.slice(0, colon + 1)}***${text.slice(at)}`;
}
