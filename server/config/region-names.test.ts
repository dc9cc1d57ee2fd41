import { describe, expect, it } from "vitest";
import { resolveRegionName } from "./region-names";

const fleet = (...ids: string[]) => ({ regions: ids.map((id) => ({ id })) }) as unknown as Parameters<typeof resolveRegionName>[0];
const spec = fleet("us-east", "eu-west", "apac-se");

describe("region names", () => {
  it.each([
    ["us-east", "us-east"],
    ["us", "us-east"],
    ["eu", "eu-west"],
    ["apac", "apac-se"],
    ["APAC", "apac-se"],
    [" eu-west ", "eu-west"],
  ])("%j names %s", (name, id) => {
    expect(resolveRegionName(spec, name)).toMatchObject({ ok: true, region: { id } });
  });

  it("refuses an unknown name, listing the ids and the short names that work", () => {
    expect(resolveRegionName(spec, "mars")).toEqual({
      ok: false,
      unknown: true,
      message: 'There is no region "mars" in the fleet config (known: us-east, eu-west, apac-se, or by short name us, eu, apac).',
    });
    // A prefix is a whole first word, never part of one.
    expect(resolveRegionName(spec, "ap")).toMatchObject({ ok: false, unknown: true });
  });

  it("refuses a short name that fits several regions rather than guess, and keeps an exact id first", () => {
    const two = fleet("us-east", "us-west", "us");
    expect(resolveRegionName(fleet("us-east", "us-west"), "us")).toEqual({
      ok: false,
      unknown: false,
      message: '"us" could mean us-east or us-west; name the region by its id.',
    });
    expect(resolveRegionName(two, "us")).toMatchObject({ ok: true, region: { id: "us" } });
    expect(resolveRegionName(fleet("us-east", "us-west"), "mars")).toMatchObject({
      message: 'There is no region "mars" in the fleet config (known: us-east, us-west).',
    });
  });
});
