/**
 * The security headers of every answer, decided in one place (pure: the proxy and next.config.ts call it).
 * Pages get a Content-Security-Policy with a fresh nonce per request: Next.js reads the nonce from the request's
 * CSP header and puts it on its own scripts, so no script runs without it (`'strict-dynamic'` lets those
 * scripts load the page's chunks). Styles may be inline (`style-src 'unsafe-inline'`): charts and React set
 * `style` attributes, and a style cannot run code. API answers are data, never pages: `default-src 'none'`.
 */

export type SecurityHeaderOptions = { https: boolean; dev?: boolean };

/** A nonce: 16 random bytes, base64 (Web Crypto, so it works in any runtime). */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/** The CSP of a page rendered with `nonce`. */
function pagePolicy(nonce: string, opts: SecurityHeaderOptions): string {
  const directives = [
    "default-src 'self'",
    // React needs eval only in development (error overlays); never in production.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // tRPC queries and the live feed (SSE) go to this origin only.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** The CSP of an API answer (JSON, SSE, metrics): nothing may load from it, nobody may frame it. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Headers that do not change per request, for every path (next.config.ts `headers()`). */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

/** Strict-Transport-Security, only when people reach Flightdeck over https (a year; subdomains are not ours). */
export const HSTS = { key: "Strict-Transport-Security", value: "max-age=31536000" };

/** The headers the proxy sets on a page answer, for one request. */
export function pageSecurityHeaders(nonce: string, opts: SecurityHeaderOptions): Record<string, string> {
  return { "Content-Security-Policy": pagePolicy(nonce, opts), ...(opts.https ? { [HSTS.key]: HSTS.value } : {}) };
}
