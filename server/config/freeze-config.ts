/**
 * The config's freeze windows (`freezes`): weekly ones (a day and time to a day and time) and one-off ones (a
 * date and time to a date and time), in an IANA time zone, for some environments or all, each with a reason.
 * Every error names the field and what was expected, like the rest of the config.
 */
import { z } from "zod";
import { isTimeZone, parseLocalDateTime, parseWeekTime, zonedToInstant } from "@/server/engine/machine/freeze";

const describe = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));

const weekTime = z
  .string({ error: (iss) => `expected a day and time such as "Fri 16:00", got ${describe(iss.input)}` })
  .refine((s) => parseWeekTime(s) !== null, { error: (iss) => `expected a day and time such as "Fri 16:00", got ${describe(iss.input)}` });

const dateTime = z
  .string({ error: (iss) => `expected a date and time such as "2026-12-24 08:00", got ${describe(iss.input)}` })
  .refine((s) => parseLocalDateTime(s) !== null, { error: (iss) => `expected a date and time such as "2026-12-24 08:00", got ${describe(iss.input)}` });

export const FreezeConfig = z
  .strictObject({
    /** Names the window in refusals, events and the banner. */
    id: z
      .string({ error: (iss) => `expected an id (lowercase letters, digits and dashes), got ${describe(iss.input)}` })
      .regex(/^[a-z][a-z0-9-]{0,62}$/, { error: (iss) => `expected an id (lowercase letters, digits and dashes), got ${describe(iss.input)}` }),
    /** Why nothing may be released: shown to whoever is refused. */
    reason: z.string({ error: (iss) => `expected text, got ${describe(iss.input)}` }).min(1, { error: "must not be empty" }),
    /** Environments (names or `*` patterns) the window covers; absent: every environment. */
    environments: z
      .array(z.string().min(1, { error: "must not be empty" }))
      .min(1, { error: "expected at least one environment, or no list for all" })
      .optional(),
    /** The zone the times are wall-clock times of. */
    timeZone: z
      .string({ error: (iss) => `expected an IANA time zone such as "Europe/Berlin", got ${describe(iss.input)}` })
      .refine(isTimeZone, { error: (iss) => `expected an IANA time zone such as "Europe/Berlin", got ${describe(iss.input)}` })
      .default("UTC"),
    /** Every week, from a day and time to a day and time (it may run over the weekend: Fri 16:00 to Mon 08:00). */
    weekly: z.strictObject({ from: weekTime, to: weekTime }).optional(),
    /** Once, from a date and time to a later one. */
    once: z.strictObject({ from: dateTime, to: dateTime }).optional(),
  })
  .superRefine((f, ctx) => {
    if (!f.weekly === !f.once) {
      ctx.addIssue({ code: "custom", path: [], message: "expected either weekly: { from, to } or once: { from, to }, not both and not neither" });
      return;
    }
    if (f.weekly) {
      const [from, to] = [parseWeekTime(f.weekly.from), parseWeekTime(f.weekly.to)];
      if (from && to && from.day === to.day && from.minute === to.minute)
        ctx.addIssue({ code: "custom", path: ["weekly", "to"], message: `expected another time than from (${f.weekly.from}): the window would be empty` });
    }
    if (f.once && isTimeZone(f.timeZone)) {
      const [from, to] = [parseLocalDateTime(f.once.from), parseLocalDateTime(f.once.to)];
      if (from && to && zonedToInstant(to.y, to.m, to.d, to.minute, f.timeZone) <= zonedToInstant(from.y, from.m, from.d, from.minute, f.timeZone))
        ctx.addIssue({ code: "custom", path: ["once", "to"], message: `expected a time after from (${f.once.from}), got ${describe(f.once.to)}` });
    }
  });
export type FreezeConfig = z.infer<typeof FreezeConfig>;

/** The list, with unique ids. */
export const FreezesConfig = z
  .array(FreezeConfig, { error: (iss) => `expected a list of freeze windows, got ${describe(iss.input)}` })
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((f, i) => {
      const first = seen.get(f.id);
      if (first !== undefined)
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate id ${JSON.stringify(f.id)}, already used by freezes[${first}]` });
      else seen.set(f.id, i);
    });
  });
