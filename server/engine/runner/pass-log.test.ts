/**
 * A pass logs under its rollout's correlation id, rollout and region, and binds them only when it logs: a pino child
 * runs the logger's redaction over its bindings, which cost 4 KB on every pass when most passes log nothing.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import pino, { type Logger } from "pino";
import type { Actor } from "@/server/actor";
import { eventConsumers } from "@/server/engine/outbox/consumers";
import { cachedProviders } from "./providers";
import { reconcileRegionRollout, type ReconcileDeps } from "./reconcile";
import { addUser, createHarness, demoConfig, regionRolloutOf, rolloutRow, startInUsEast, type Harness } from "./test-fixtures";

let h: Harness;
let dana: Actor;
let rolloutId: string;
let lines: Array<Record<string, unknown>>;
let children: number;
let log: Logger;

beforeEach(async () => {
  h = createHarness({ config: demoConfig((raw) => (raw.policies = { allowedRefs: ["refs/heads/main"], environments: [{ match: "*", protected: false }] })) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  rolloutId = await startInUsEast(h, dana);
  lines = [];
  children = 0;
  log = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const child = log.child.bind(log);
  log.child = ((...args: Parameters<Logger["child"]>) => (children++, child(...args))) as Logger["child"];
});
afterEach(() => h.cleanup());

function deps(providersFor: ReconcileDeps["providersFor"]): ReconcileDeps {
  return { db: h.db, config: h.config, clock: h.clock, providersFor, consumers: eventConsumers(h.config), log, maxActions: 1 };
}

it("a pass that fails to deploy logs the failure under the rollout's correlation id, rollout and region", async () => {
  const real = cachedProviders(h.config, h.world, h.clock);
  const failing: ReconcileDeps["providersFor"] = (id) => ({
    ...real(id),
    deploy: { deploy: () => Promise.reject(new Error("ssh: connection refused")), status: () => Promise.reject(new Error("ssh: connection refused")) },
  });
  const id = regionRolloutOf(h.db, rolloutId, "us-east").id;
  await reconcileRegionRollout(deps(real), id); // pending to deploying: nothing fails, nothing logged
  expect(children).toBe(0);

  await reconcileRegionRollout(deps(failing), id);
  const failed = lines.find((l) => l.msg === "effect failed");
  expect(failed).toMatchObject({ correlationId: rolloutRow(h.db, rolloutId).correlationId, rolloutId, regionId: "us-east", err: "ssh: connection refused" });
  expect(children).toBe(1);
});
