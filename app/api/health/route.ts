/** Liveness for load balancers and monitors. No auth: it names no secret, only whether things answer. */
import { readHealth } from "@/server/health";
import { logger } from "@/server/log";

export const dynamic = "force-dynamic";

const noStore = { "cache-control": "no-store" };

export async function GET(): Promise<Response> {
  try {
    return Response.json({ status: "ok", ...readHealth(Date.now()) }, { headers: noStore });
  } catch (err) {
    logger.error({ err }, "health check: the database did not answer");
    return Response.json(
      { status: "error", database: "unreachable", message: "The database did not answer `select 1`; see the server log." },
      { status: 503, headers: noStore },
    );
  }
}
