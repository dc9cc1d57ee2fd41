import type { NextConfig } from "next";
import { API_POLICY, HSTS, STATIC_SECURITY_HEADERS } from "./server/security/headers";

const nextConfig: NextConfig = {
  serverExternalPackages: ["better-sqlite3", "ssh2", "pino", "prom-client", "yaml"],
  poweredByHeader: false,
  // Fixed security headers on every answer; pages get their per-request CSP (nonce) and HSTS from proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_POLICY }] },
      // API answers that came through the TLS proxy: HSTS too (pages decide it from the public URL, in proxy.ts).
      { source: "/api/:path*", has: [{ type: "header", key: "x-forwarded-proto", value: "https" }], headers: [HSTS] },
    ];
  },
};

export default nextConfig;
