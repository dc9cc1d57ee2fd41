/** pino JSON logs. Use `logger.child({ correlationId })` so every line of a rollout carries its id. */
import pino from "pino";
import { serverEnv } from "@/server/config/env";

export const logger = pino({
  level: serverEnv().LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "flightdeck" },
  redact: { paths: ["*.password", "*.token", "*.secret", "*.webhookUrl", "headers.authorization", "headers.cookie"], censor: "[redacted]" },
});
