import type { NextConfig } from "next";
import { API_POLICY, STATIC_SECURITY_HEADERS } from "./server/security/headers";

const nextConfig: NextConfig = {
  serverExternalPackages: ["better-sqlite3", "ssh2", "pino", "prom-client", "yaml"],
  poweredByHeader: false,
  // Fixed security headers on every answer; pages get their per-request CSP (nonce) and HSTS from proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_POLICY }] },
    ];
  },
};

export default nextConfig;
