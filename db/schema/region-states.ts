import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { artifacts } from "./artifacts";
import { regions } from "./regions";
import { services } from "./services";

export type Colour = "blue" | "green";

/** What a region serves for a service right now: the live colour, its artifact and the traffic split. */
export const regionStates = sqliteTable(
  "region_states",
  {
    serviceId: text("service_id")
      .notNull()
      .references(() => services.id),
    regionId: text("region_id")
      .notNull()
      .references(() => regions.id),
    liveColour: text("live_colour").$type<Colour>().notNull().default("blue"),
    liveArtifactId: text("live_artifact_id").references(() => artifacts.id),
    /** The artifact the other colour holds (what an emergency rollback goes back to). */
    previousArtifactId: text("previous_artifact_id").references(() => artifacts.id),
    /** Percent of requests on green; blue gets the rest. Written only after the traffic provider verified it. */
    greenPct: integer("green_pct").notNull().default(0),
    activeRegionRolloutId: text("active_region_rollout_id"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.regionId] })],
);
