/**
 * The sender's own small loop, started beside the runner by startEngine: one pass every `intervalMs`, never
 * overlapping itself. Several processes may run it on one database: the claim settles who sends each card.
 * Its timer does not keep the process alive, and a failing pass is logged, never thrown.
 */
import type { Logger } from "pino";
import { logger as rootLogger } from "@/server/log";
import { deliverDueNotifications, type SenderOptions } from "./sender";

export type SenderLoop = { stop: () => Promise<void> };

export function startNotificationSender(options: SenderOptions & { intervalMs?: number; log?: Logger }): SenderLoop {
  const log = (options.log ?? rootLogger).child({ component: "notify-sender" });
  const intervalMs = options.intervalMs ?? 1_000;
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const pass = () => {
    if (stopped) return;
    current = deliverDueNotifications({ ...options, log })
      .then((results) => {
        const sent = results.filter((r) => r.outcome === "sent").length;
        if (sent > 0) log.info({ sent, tried: results.length }, "notifications delivered");
      })
      .catch((err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "notification pass failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(pass, intervalMs).unref();
      });
  };
  pass();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
