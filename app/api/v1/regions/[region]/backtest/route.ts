/**
 * REST: the threshold backtest of a region (`flightdeck backtest`), POSTed with `{"from": "-30d", "to": "now", ...}`
 * (a body, so `--config` can send its stages and analysis); a read, so any token may ask.
 */
import { backtestHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const POST = restRoute("read", backtestHandler);
