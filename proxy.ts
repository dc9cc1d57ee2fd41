/**
 * Security headers for every page (Next.js 16 "proxy", formerly middleware): a Content-Security-Policy with a
 * fresh nonce, passed to the render in the request's own CSP header so Next.js puts the nonce on its scripts,
 * and HSTS when the public URL is https. API routes and static files get their fixed headers from
 * next.config.ts (the proxy does not run for them, so webhook and tRPC bodies never pass through it).
 */
import { NextResponse, type NextRequest } from "next/server";
import { serverEnv } from "@/server/config/env";
import { isHttpsPublicUrl } from "@/server/config/public-url";
import { newNonce, pageSecurityHeaders } from "@/server/security/headers";

export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const headers = pageSecurityHeaders(nonce, { https: isHttpsPublicUrl(serverEnv()), dev: process.env.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [key, value] of Object.entries(headers)) response.headers.set(key, value);
  return response;
}

export const config = {
  // Pages only: not the API (fixed headers in next.config.ts), static chunks, images or the favicon.
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};
