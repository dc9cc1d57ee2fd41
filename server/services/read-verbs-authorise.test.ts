/** Read verbs authorise themselves: a caller with no role is refused by the verb, whatever transport called it. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { createHarness, type Harness } from "@/server/engine/runner/test-fixtures";
import { listPendingGates } from "./approvals-pending";
import { listAuditEvents } from "./audit-log";
import { ServiceError } from "./errors";
import { getRegionsOverview } from "./overview";
import { getRegionPage } from "./region-page";
import { getRolloutStatus } from "./rollout-status";
import { listRolloutHistory } from "./rollout-view";
import { freezeStatus } from "./freezes";

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.cleanup());

const nobody: Actor = { kind: "user", id: "nobody", name: "Nobody", roles: [] };
const viewer: Actor = { kind: "user", id: "vic", name: "Vic", roles: ["viewer"] };

const READS: Record<string, (actor: Actor) => unknown> = {
  overview: (actor) => getRegionsOverview(h.as(actor)),
  "region page": (actor) => getRegionPage(h.as(actor), { regionId: "us-east" }),
  "pending approvals": (actor) => listPendingGates(h.as(actor)),
  "audit log": (actor) => listAuditEvents(h.as(actor), {}),
  history: (actor) => listRolloutHistory(h.as(actor), {}),
  freezes: (actor) => freezeStatus(h.as(actor)),
};

describe("read verbs check the read role themselves", () => {
  for (const [name, read] of Object.entries(READS)) {
    it(`${name}: refused without a role (FORBIDDEN, naming the role needed), answered for a viewer`, async () => {
      let refused: unknown;
      try {
        await read(nobody);
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(ServiceError);
      expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("viewer or above") });
      await expect(read(viewer)).resolves.not.toThrow();
    });
  }

  it("a rollout's status names a missing rollout only to a reader", async () => {
    await expect(getRolloutStatus(h.as(nobody), "nope")).rejects.toThrow(/viewer or above/);
    await expect(getRolloutStatus(h.as(viewer), "nope")).rejects.toThrow(/There is no rollout nope/);
  });
});
