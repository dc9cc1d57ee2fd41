import { describe, expect, it } from "vitest";
import { oneRegionDemoFleet } from "./config.fixtures";
import { parseConfig } from "./load";

const parse = (freezes: string) => parseConfig(oneRegionDemoFleet({ top: `freezes:\n${freezes}` }), {});

describe("config: freezes", () => {
  it("reads a weekly window in a time zone and a one-off window, with their defaults", () => {
    const { config, problems } = parse(`
  - { id: weekend, reason: no releases at the weekend, environments: ["production-*"], timeZone: Europe/Berlin, weekly: { from: "Fri 16:00", to: "Monday 08:00" } }
  - { id: holidays, reason: holiday season, once: { from: "2026-12-24", to: "2026-12-27 08:00" } }
`);
    expect(problems).toEqual([]);
    expect(config!.freezes).toEqual([
      {
        id: "weekend",
        reason: "no releases at the weekend",
        environments: ["production-*"],
        timeZone: "Europe/Berlin",
        weekly: { from: "Fri 16:00", to: "Monday 08:00" },
      },
      { id: "holidays", reason: "holiday season", timeZone: "UTC", once: { from: "2026-12-24", to: "2026-12-27 08:00" } },
    ]);
  });

  it("a fleet without freezes has none", () => {
    expect(parseConfig(oneRegionDemoFleet(), {}).config!.freezes).toEqual([]);
  });

  it.each([
    [
      `  - { id: w, reason: r, timeZone: Europe/Berlinn, weekly: { from: "Fri 16:00", to: "Mon 08:00" } }`,
      "freezes[0].timeZone",
      'expected an IANA time zone such as "Europe/Berlin", got "Europe/Berlinn"',
    ],
    [
      `  - { id: w, reason: r, weekly: { from: "Friday 4pm", to: "Mon 08:00" } }`,
      "freezes[0].weekly.from",
      'expected a day and time such as "Fri 16:00", got "Friday 4pm"',
    ],
    [
      `  - { id: w, reason: r, weekly: { from: "Fri 16:00", to: "Fri 16:00" } }`,
      "freezes[0].weekly.to",
      "expected another time than from (Fri 16:00): the window would be empty",
    ],
    [
      `  - { id: w, reason: r, once: { from: "2026-12-27", to: "2026-12-24" } }`,
      "freezes[0].once.to",
      'expected a time after from (2026-12-27), got "2026-12-24"',
    ],
    [
      `  - { id: w, reason: r, once: { from: "2026-02-30", to: "2026-03-02" } }`,
      "freezes[0].once.from",
      'expected a date and time such as "2026-12-24 08:00", got "2026-02-30"',
    ],
    [`  - { id: w, reason: r }`, "freezes[0]", "expected either weekly: { from, to } or once: { from, to }, not both and not neither"],
    [`  - { id: w, weekly: { from: "Fri 16:00", to: "Mon 08:00" } }`, "freezes[0].reason", "expected text, got nothing"],
    [
      `  - { id: w, reason: r, weekly: { from: "Fri 16:00", to: "Mon 08:00" } }\n  - { id: w, reason: r, once: { from: "2026-12-24", to: "2026-12-25" } }`,
      "freezes[1].id",
      'duplicate id "w", already used by freezes[0]',
    ],
  ])("refuses %s, naming the field", (yaml, path, message) => {
    expect(parse(yaml).problems).toEqual([{ path, message }]);
  });
});
