import { describe, expect, it } from "vitest";
import type { ReleaseManifest } from "@/db/schema/artifacts";
import { schemaVerdict, type LiveRelease } from "./schema-compat";

const DROP = { id: "0042_drop", class: "contract", description: "drop column users.legacy_name" } as const;
const ADD = { id: "0041_add", class: "expand", description: "add column users.display_name" } as const;
const FILL = { id: "0043_fill", class: "none", description: "backfill display names" } as const;

const release = (manifest: ReleaseManifest | null) => ({ artifactId: "a150", version: "1.5.0", manifest });
const live = (version: string, readyFor: string | null, artifactId = `a-${version}`): LiveRelease => ({ artifactId, version, readyFor });

describe("schemaVerdict", () => {
  const cases: Array<[string, ReleaseManifest | null, LiveRelease[], "none-declared" | "pass" | "refused", boolean[]]> = [
    ["a release without a manifest declares nothing and passes", null, [live("1.4.1", null)], "none-declared", [true]],
    ["expand and none migrations pass whatever is live", { migrations: [ADD, FILL], readyFor: null }, [live("1.4.1", null)], "pass", [true]],
    [
      "a contract migration passes where the live release declares readyFor this version",
      { migrations: [DROP], readyFor: null },
      [live("1.4.1", "1.5.0")],
      "pass",
      [true],
    ],
    ["a contract migration passes where nothing is live yet", { migrations: [DROP], readyFor: null }, [null], "pass", [true]],
    ["a contract migration passes where this very release is live", { migrations: [DROP], readyFor: null }, [live("1.5.0", null, "a150")], "pass", [true]],
    [
      "a contract migration is refused where the live release declares no readyFor",
      { migrations: [DROP], readyFor: null },
      [live("1.4.1", null)],
      "refused",
      [false],
    ],
    [
      "a contract migration is refused where the live release is ready for another version, even if other regions are ready",
      { migrations: [ADD, DROP], readyFor: null },
      [live("1.4.1", "1.5.0"), live("1.4.0", "1.4.1")],
      "refused",
      [true, false],
    ],
  ];
  it.each(cases)("%s", (_name, manifest, lives, outcome, ok) => {
    const verdict = schemaVerdict(
      release(manifest),
      lives.map((l, i) => ({ regionId: `r${i}`, release: l })),
    );
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.regions.map((r) => r.ok)).toEqual(ok);
  });

  it("says which migration, which region's live release and what it would need", () => {
    const verdict = schemaVerdict(release({ migrations: [ADD, DROP], readyFor: null }), [
      { regionId: "us-east", release: live("1.4.1", null) },
      { regionId: "eu-west", release: live("1.4.1", "1.4.9") },
    ]);
    expect(verdict.contract).toEqual([DROP]);
    expect(verdict.reason).toBe(
      '1.5.0 carries contract migration 0042_drop ("drop column users.legacy_name"), which the live release must tolerate while blue and green share the database: ' +
        "1.4.1 live in us-east does not declare readyFor 1.5.0; 1.4.1 live in eu-west does not declare readyFor 1.5.0 (it declares 1.4.9); ship an expand release first.",
    );
  });
});
