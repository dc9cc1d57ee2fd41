/**
 * The webhook benchmark's server, in its own process so the load loop does not share its event loop: a fresh
 * migrated SQLite file, the demo fleet, and the webhook route handler behind node:http. Prints `BENCH_URL <url>`.
 */
import { startRouteServer } from "@/server/cli/http-server.fixtures";
import { SECRET, freshProcessDatabase } from "@/server/services/ci-webhook.fixtures";

process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
const fixture = freshProcessDatabase();
const server = await startRouteServer();
console.log(`BENCH_URL ${server.url}`);
process.on("SIGTERM", async () => {
  await server.close();
  fixture.cleanup();
  process.exit(0);
});
