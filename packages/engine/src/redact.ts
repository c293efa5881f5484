/**
 * Removes passwords from URLs in free text. Every message that may quote a URL goes through
 * here, so a password typed into a connection string never reaches an error or a log.
 */
// The password may hold any character but "@" and white space ("/" too, in a malformed URL).
const CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^\s@]*)@/gi;
const PASSWORD_PARAM = /([?&](?:password|pass|pwd|sslpassword)=)[^&\s#]*/gi;

export function redactUrls(text: string): string {
  return text.replace(CREDENTIALS, "$1$2:***@").replace(PASSWORD_PARAM, "$1***");
}
