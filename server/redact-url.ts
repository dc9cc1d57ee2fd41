/**
 * URLs as Flightdeck shows them in events, cards and logs: scheme, host and path, never the query string,
 * fragment or credentials. An artifact URL is often presigned (`?X-Amz-Signature=...`, `?sig=...`): its query
 * is a credential that must not reach a viewer, a chat channel or a log file.
 */

/** `https://bucket.s3.amazonaws.com/api/1.4.2.tar.gz?X-Amz-Signature=...` → `https://bucket.s3.amazonaws.com/api/1.4.2.tar.gz`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    // Not a URL we can parse: still drop whatever follows a `?` or `#`, and any `user:pass@`.
    return url.replace(/[?#].*$/s, "").replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, "$1");
  }
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** Every URL inside a sentence or log line, redacted as redactUrl does (curl and wget may quote the URL back). */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
