/**
 * The public URL: the one address people and cards reach the dashboard at. It is `NEXTAUTH_URL` when set (sign-in
 * callbacks use it; `npm start` sets it from the config's `baseUrl`), else the config's `baseUrl`. A production
 * config must agree on both (start-up checks it), so there is one notion of "the public URL is https" for
 * cookies, HSTS and the start-up check. No file or database access here: safe in any runtime.
 */
import { serverEnv } from "./env";
import type { FleetConfig } from "./schema";

export const DEMO_PUBLIC_URL = "http://localhost:3000";

type Env = Record<string, string | undefined>;

/** The public URL as a URL; `config` is optional so code that cannot read the config file still gets an answer. */
export function publicUrl(env: Env = serverEnv(), config?: Pick<FleetConfig, "baseUrl">): URL {
  const candidates = [env.NEXTAUTH_URL, config?.baseUrl, DEMO_PUBLIC_URL];
  for (const value of candidates) {
    if (!value) continue;
    try {
      return new URL(value);
    } catch {
      // An invalid NEXTAUTH_URL is reported by the environment check; fall through to the next candidate.
    }
  }
  return new URL(DEMO_PUBLIC_URL);
}

/** True when people reach Flightdeck over https: cookies get `Secure`, pages get HSTS. */
export function isHttpsPublicUrl(env: Env = serverEnv(), config?: Pick<FleetConfig, "baseUrl">): boolean {
  return publicUrl(env, config).protocol === "https:";
}
