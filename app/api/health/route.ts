/** Liveness for load balancers and monitors. No auth: it names no secret, only whether things answer. */
import { getDb } from "@/db/client";
import { checkDatabase, readEngineHealth } from "@/server/health";
import { logger } from "@/server/log";

export const dynamic = "force-dynamic";

const noStore = { "cache-control": "no-store" };

export async function GET(): Promise<Response> {
  try {
    const db = getDb();
    checkDatabase(db);
    const engine = readEngineHealth(db, Date.now());
    return Response.json({ status: "ok", database: "ok", engine }, { headers: noStore });
  } catch (err) {
    logger.error({ err }, "health check: the database did not answer");
    return Response.json(
      { status: "error", database: "unreachable", message: "The database did not answer `select 1`; see the server log." },
      { status: 503, headers: noStore },
    );
  }
}
