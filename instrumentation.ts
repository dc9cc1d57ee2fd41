/**
 * Runs once when the Next.js server starts: check the config and environment (exit with every problem listed
 * by path), migrate the database, mirror the fleet, seed demo users in demo mode, and start the engine runner
 * inside this process unless FLIGHTDECK_ENGINE=off (then run `npm run worker` apart).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First, so every request carries its socket's address for rate limits (server/security/client-address.ts).
  const { recordPeerAddresses } = await import("./server/security/client-address");
  recordPeerAddresses();
  const { bootstrap } = await import("./server/bootstrap");
  const { serverEnv } = await import("./server/config/env");
  await bootstrap({ engine: serverEnv().FLIGHTDECK_ENGINE !== "off" });
}
