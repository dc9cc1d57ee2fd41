import { describe, expect, it } from "vitest";
import {
  alreadyLiveIn,
  defaultValues,
  freeRegionIds,
  listWords,
  problemsByField,
  reviewersWords,
  shortDigest,
  toStartInput,
  withRegion,
  withService,
  type ServiceOption,
  type StartOptions,
} from "./new-rollout-values";

const region = (id: string) => ({ id, name: id.toUpperCase(), environment: `production-${id}`, reviewers: null, live: null, activeRolloutId: null });
const artifact = (id: string, version: string) => ({
  id,
  version,
  digest: `sha256:${"a".repeat(64)}`,
  commitSha: null,
  sourceRef: null,
  provenance: "manual" as const,
  registeredAt: 0,
  liveIn: [],
  quarantine: null,
});

const api: ServiceOption = {
  id: "api",
  name: "API",
  repository: null,
  artifacts: [artifact("a2", "1.4.2"), artifact("a1", "1.4.1")],
  regions: [region("us-east"), region("eu-west"), region("apac-se")],
};
const web: ServiceOption = { id: "web", name: "Web", repository: null, artifacts: [artifact("w1", "2.0.0")], regions: [region("us-east"), region("eu-west")] };
const options: StartOptions = { services: [api, web], strategies: ["sequential", "delayed", "parallel"], delay: { min: 30, max: 240, default: 90 } };

const busy = (id: string) => ({ ...region(id), activeRolloutId: `rollout-in-${id}` });

describe("the new rollout form's values", () => {
  it("leaves a region a rollout is running in unticked, on start and on a change of service", () => {
    const withBusy: StartOptions = { ...options, services: [{ ...api, regions: [region("us-east"), busy("eu-west"), region("apac-se")] }, web] };
    expect(freeRegionIds(withBusy.services[0])).toEqual(["us-east", "apac-se"]);
    expect(defaultValues(withBusy).regions).toEqual(["us-east", "apac-se"]);
    expect(withService(defaultValues(options), { ...web, regions: [busy("us-east"), region("eu-west")] }).regions).toEqual(["eu-west"]);
  });

  it("names the chosen regions the chosen release is already live in", () => {
    const live: ServiceOption = { ...api, artifacts: [{ ...artifact("a2", "1.4.2"), liveIn: ["eu-west", "apac-se"] }, artifact("a1", "1.4.1")] };
    const values = { ...defaultValues({ ...options, services: [live] }), regions: ["us-east", "eu-west"] };
    expect(alreadyLiveIn(values, live)).toEqual(["eu-west"]);
    expect(alreadyLiveIn({ ...values, artifactId: "a1" }, live)).toEqual([]);
    expect(alreadyLiveIn({ ...values, artifactId: null }, live)).toEqual([]);
  });

  it("starts with the first service's newest artifact, sequential, every region in config order", () => {
    expect(defaultValues(options)).toEqual({
      serviceId: "api",
      artifactId: "a2",
      strategy: "sequential",
      regions: ["us-east", "eu-west", "apac-se"],
      delayText: "90",
    });
  });

  it("takes the new service's newest artifact and keeps only regions it has", () => {
    expect(withService(defaultValues(options), web)).toMatchObject({ serviceId: "web", artifactId: "w1", regions: ["us-east", "eu-west"] });
    expect(withService(defaultValues(options), { ...web, artifacts: [] }).artifactId).toBeNull();
  });

  it("keeps checked regions in config order whatever order they are checked in", () => {
    const none = { ...defaultValues(options), regions: [] };
    const checked = withRegion(withRegion(none, api, "apac-se", true), api, "us-east", true);
    expect(checked.regions).toEqual(["us-east", "apac-se"]);
    expect(withRegion(checked, api, "us-east", false).regions).toEqual(["apac-se"]);
  });

  it("asks for a delay only for delayed, and sends a blank or unreadable delay as none for the server to name", () => {
    const values = defaultValues(options);
    expect(toStartInput(values)).toEqual({ serviceId: "api", artifactId: "a2", strategy: "sequential", regions: ["us-east", "eu-west", "apac-se"] });
    expect(toStartInput({ ...values, strategy: "delayed", delayText: " 45 " }).delayMinutes).toBe(45);
    expect(toStartInput({ ...values, strategy: "delayed", delayText: "" }).delayMinutes).toBeNull();
    expect(toStartInput({ ...values, strategy: "delayed", delayText: "1e400" }).delayMinutes).toBeNull();
    expect(toStartInput({ ...values, artifactId: null })).not.toHaveProperty("artifactId");
  });
});

describe("the form's words", () => {
  it("groups problems by field, names reviewers, shortens digests and lists names", () => {
    expect(
      problemsByField([
        { field: "regions", message: "a" },
        { field: "delayMinutes", message: "b" },
        { field: "regions", message: "c" },
      ]),
    ).toEqual({ regions: ["a", "c"], delayMinutes: ["b"] });
    expect(reviewersWords({ functional: 1, sre: 1 })).toBe("1 reviewer + 1 SRE approvals");
    expect(reviewersWords({ functional: 0, sre: 1 })).toBe("1 SRE approval");
    expect(reviewersWords(null)).toBeNull();
    expect(shortDigest(`sha256:3f2a9c${"0".repeat(58)}`)).toBe("3f2a9c000000");
    expect(listWords(["US East", "EU West", "APAC Southeast"])).toBe("US East, EU West and APAC Southeast");
    expect(listWords(["US East"])).toBe("US East");
  });
});
