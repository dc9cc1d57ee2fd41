import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  serverExternalPackages: ["better-sqlite3", "ssh2", "pino", "prom-client", "yaml"],
  poweredByHeader: false,
};

export default nextConfig;
