/**
 * Hides webhook URLs and keys in text bound for the browser. A delivery error is written by the sender from
 * whatever fetch or the far end said, and some of those sentences quote the URL whole: Node's fetch says
 * "Failed to parse URL from <url>" and "...a URL that includes credentials: <url>", and a proxy may echo the
 * path in its answer. A webhook URL's path is its secret, so every URL keeps only its host.
 */

const HIDDEN = "…";
/** Shorter "secrets" (an unset or placeholder value) would blank out ordinary words. */
const MIN_SECRET_LENGTH = 8;
const URL_WITH_SCHEME = /\bhttps?:\/\/[^\s"'<>()[\]{}]+/gi;
/** `hooks.slack.com/services/...` without a scheme, as a scheme-less URL is quoted back. */
const HOST_AND_PATH = /\b((?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?)\/[^\s"'<>()[\]{}]*/gi;

/** `https://hooks.slack.com/…`: where it points, without the path, query or credentials. */
export function urlWithoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    const bare = parsed.pathname === "/" && !parsed.search && !parsed.hash && !parsed.username && !parsed.password;
    return bare ? url : `${parsed.origin}/${HIDDEN}`;
  } catch {
    return HIDDEN;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `secrets`: the values Flightdeck knows are secret (webhook URLs, API keys from the environment). Each is
 * replaced wherever it appears, with its path alone too; then any other URL loses its path.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of known) {
    out = out.replace(new RegExp(escapeRegExp(secret), "g"), /^https?:\/\//i.test(secret) ? urlWithoutSecrets(secret) : HIDDEN);
    const path = pathOf(secret);
    if (path) out = out.replace(new RegExp(escapeRegExp(path), "g"), `/${HIDDEN}`);
  }
  return out.replace(URL_WITH_SCHEME, urlWithoutSecrets).replace(HOST_AND_PATH, (_whole, host: string) => `${host}/${HIDDEN}`);
}

function pathOf(secret: string): string | null {
  try {
    const parsed = new URL(secret);
    const path = parsed.pathname + parsed.search;
    return path.length >= MIN_SECRET_LENGTH ? path : null;
  } catch {
    return null;
  }
}
