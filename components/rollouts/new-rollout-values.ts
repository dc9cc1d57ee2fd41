/**
 * The "Start a rollout" form's values and their words. Pure, so the page can prefetch the preview of the
 * default values on the server with the very input the browser will ask for (same query key, no flash).
 * Nothing here validates: the server's preview says what is wrong, in the start's own words.
 */
import type { RouterOutputs } from "@/components/trpc/client";
import type { StartRolloutInput } from "@/server/services/rollouts";

export type StartOptions = RouterOutputs["rollouts"]["startOptions"];
export type ServiceOption = StartOptions["services"][number];
export type PlanPreview = RouterOutputs["rollouts"]["previewPlan"];
export type Strategy = StartOptions["strategies"][number];
export type ProblemField = PlanPreview["problems"][number]["field"];

export type NewRolloutValues = {
  serviceId: string;
  artifactId: string | null;
  strategy: Strategy;
  /** Checked region ids; kept in config order. */
  regions: string[];
  /** As typed, so a half-typed number stays on screen. */
  delayText: string;
};

export const STRATEGY_WORDS: Record<Strategy, { label: string; description: string }> = {
  sequential: { label: "Sequential", description: "One region at a time, in config order: the next starts when the previous one succeeded." },
  delayed: { label: "Delayed", description: "Sequential, plus an observation period between regions. The safest choice for a first production rollout." },
  parallel: { label: "Parallel", description: "Every region at once. Each region still rolls back on its own when a threshold breaks." },
};

/** The regions of a service no rollout is running in: the ones a start could take now, in config order. */
export function freeRegionIds(service: ServiceOption): string[] {
  return service.regions.filter((r) => r.activeRolloutId === null).map((r) => r.id);
}

/**
 * The first service, its newest artifact, sequential, every region no rollout is running in (a busy region is
 * left unticked, with the reason beside it), and the fleet's default delay.
 */
export function defaultValues(options: StartOptions): NewRolloutValues {
  const service = options.services[0];
  return {
    serviceId: service?.id ?? "",
    artifactId: service?.artifacts[0]?.id ?? null,
    strategy: "sequential",
    regions: service ? freeRegionIds(service) : [],
    delayText: String(options.delay.default),
  };
}

/** A new service: its newest artifact; the regions stay as chosen where the service has them and is not busy. */
export function withService(values: NewRolloutValues, service: ServiceOption): NewRolloutValues {
  const regions = freeRegionIds(service).filter((id) => values.regions.includes(id));
  return { ...values, serviceId: service.id, artifactId: service.artifacts[0]?.id ?? null, regions };
}

/** Check or uncheck a region, keeping the config order of the service's regions. */
export function withRegion(values: NewRolloutValues, service: ServiceOption, regionId: string, checked: boolean): NewRolloutValues {
  const wanted = new Set(values.regions);
  if (checked) wanted.add(regionId);
  else wanted.delete(regionId);
  return { ...values, regions: service.regions.map((r) => r.id).filter((id) => wanted.has(id)) };
}

/**
 * The chosen regions where the chosen release is already live: the start still runs a whole canary there (from
 * the other colour back to the same build), which is allowed but rarely meant, so the form warns.
 */
export function alreadyLiveIn(values: NewRolloutValues, service: ServiceOption): string[] {
  const artifact = service.artifacts.find((a) => a.id === values.artifactId);
  return artifact ? values.regions.filter((id) => artifact.liveIn.includes(id)) : [];
}

/** What the preview and the start are asked: the delay only for delayed, and nothing made up for a blank field. */
export function toStartInput(values: NewRolloutValues): StartRolloutInput {
  const input: StartRolloutInput = { serviceId: values.serviceId, strategy: values.strategy, regions: values.regions };
  if (values.artifactId) input.artifactId = values.artifactId;
  if (values.strategy === "delayed") {
    const typed = values.delayText.trim();
    const minutes = typed === "" ? Number.NaN : Number(typed);
    input.delayMinutes = Number.isFinite(minutes) ? minutes : null;
  }
  return input;
}

/** Problems grouped by the field they belong beside. */
export function problemsByField(problems: PlanPreview["problems"]): Partial<Record<ProblemField, string[]>> {
  const grouped: Partial<Record<ProblemField, string[]>> = {};
  for (const p of problems) (grouped[p.field] ??= []).push(p.message);
  return grouped;
}

/** "1 reviewer + 1 SRE approval", or null when the region has no gate. */
export function reviewersWords(reviewers: { functional: number; sre: number } | null): string | null {
  if (!reviewers) return null;
  const parts = [reviewers.functional > 0 ? `${reviewers.functional} reviewer` : null, reviewers.sre > 0 ? `${reviewers.sre} SRE` : null].filter(Boolean);
  const total = reviewers.functional + reviewers.sre;
  return `${parts.join(" + ")} approval${total === 1 ? "" : "s"}`;
}

/** `sha256:3f2a…` → the first 12 hex digits, as registries show a digest. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** Regions named in words: "US East, EU West and APAC Southeast". */
export function listWords(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
