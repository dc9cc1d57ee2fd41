/** Faults injected into the demo fleet. */
import { eq } from "drizzle-orm";
import type { demoFaults } from "../../schema";
import type { Query, Tables } from "../query";

export type DemoFaultRow = typeof demoFaults.$inferSelect;

export function demoFaultRepository(q: Query, t: Tables) {
  const { demoFaults } = t;
  return {
    // --- the fault drill (services: demo-faults) ---
    /** A region's injected faults, by stage then in the order they were injected. */
    async listForRegion(regionId: string): Promise<DemoFaultRow[]> {
      return q.select().from(demoFaults).where(eq(demoFaults.regionId, regionId)).orderBy(demoFaults.stagePercent, demoFaults.id);
    },

    async insert(row: typeof demoFaults.$inferInsert): Promise<DemoFaultRow> {
      const [inserted] = await q.insert(demoFaults).values(row).returning();
      return inserted;
    },

    /** Deletes a region's faults; how many there were. */
    async clearRegion(regionId: string): Promise<number> {
      const deleted = await q.delete(demoFaults).where(eq(demoFaults.regionId, regionId)).returning({ id: demoFaults.id });
      return deleted.length;
    },
  };
}
