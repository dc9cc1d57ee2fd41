/**
 * What the "Start a rollout" page shows before anyone confirms: the choices (each service's registered
 * artifacts and its regions, the strategies, the delay bounds), and the plan of the chosen values with every
 * problem the start would refuse, by field. The preview runs the start's own checks (checkStart,
 * artifactProblem, busyRegion) and writes nothing.
 */
import { z } from "zod";
import { actorCan, can } from "@/server/auth/roles";
import { regionsInOrder } from "@/server/config/load";
import { DELAY_MINUTES, type Colour, type Strategy } from "@/server/engine/machine";
import { findArtifact } from "./artifacts";
import type { ServiceContext } from "./context";
import { forbidden, ServiceError } from "./errors";
import { checkQuarantine, quarantinedDigests, type QuarantineView } from "./quarantines";
import { checkSchemaCompat } from "./schema-compat";
import { artifactProblem, busyRegion, checkStart, startRegion, StartRolloutFields, StartRolloutInput, STRATEGIES, type StartField } from "./rollouts";

/** The newest this many artifacts of a service are offered; older ones can still be started by id. */
export const ARTIFACTS_OFFERED = 50;
/** The spec's first production rollouts observe 90 minutes between regions. */
export const DEFAULT_DELAY_MINUTES = 90;

type Reviewers = { functional: number; sre: number } | null;

export type OfferedArtifact = {
  id: string;
  version: string;
  digest: string;
  commitSha: string | null;
  sourceRef: string | null;
  /** Whether ref and commit came from the signed CI webhook or were typed by a person. */
  provenance: "webhook" | "manual";
  registeredAt: number;
  /** Regions where this artifact serves now (config order). */
  liveIn: string[];
  /** Its digest is quarantined (rolled back for a breach): which quarantine, and why in words. */
  quarantine: { id: string; description: string } | null;
};

export type OfferedRegion = {
  id: string;
  name: string;
  environment: string;
  /** Reviewers its gate needs before it deploys; null when it has no gate. */
  reviewers: Reviewers;
  live: { version: string; colour: Colour } | null;
  /** The rollout that holds this region for the service now: a start including it is refused. */
  activeRolloutId: string | null;
};

export type StartOptions = {
  /** `repository` links a commit: `<repository>/commit/<sha>`. */
  services: Array<{ id: string; name: string; repository: string | null; artifacts: OfferedArtifact[]; regions: OfferedRegion[] }>;
  strategies: Strategy[];
  delay: { min: number; max: number; default: number };
};

const quarantineOf = (q: QuarantineView | undefined) => (q ? { id: q.id, description: q.description } : null);

/** The start's own refusal of a quarantined digest, in its words, or null. */
async function quarantineRefusal(db: ServiceContext["db"], serviceId: string, digest: string): Promise<string | null> {
  try {
    await checkQuarantine(db, serviceId, digest);
    return null;
  } catch (err) {
    if (err instanceof ServiceError) return err.message;
    throw err;
  }
}

/** A start's check run ahead: its refusal in its words, or null when it would pass. */
async function refusalOf(check: () => Promise<unknown>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (err) {
    if (err instanceof ServiceError) return err.message;
    throw err;
  }
}

function mayStart(ctx: ServiceContext): void {
  if (!can(ctx.actor.roles, "rollout.start")) throw forbidden("Starting a rollout needs the deployer, sre or admin role.");
}

export async function startOptions(ctx: ServiceContext): Promise<StartOptions> {
  mayStart(ctx);
  const regions = regionsInOrder(ctx.config);
  const states = await ctx.db.regions.listWithLiveVersion();

  const services: StartOptions["services"] = [];
  for (const service of ctx.config.services) {
    const stateOf = (regionId: string) => states.find((s) => s.state.serviceId === service.id && s.state.regionId === regionId);
    // Registered in the same millisecond (a seed, a script): the higher version string first, a fair guess.
    const offered = await ctx.db.artifacts.recentForService(service.id, ARTIFACTS_OFFERED);
    const quarantined = await quarantinedDigests(
      ctx.db,
      service.id,
      offered.map((a) => a.digest),
    );
    services.push({
      id: service.id,
      name: service.name,
      repository: service.repository ?? null,
      artifacts: offered.map((a) => ({
        id: a.id,
        version: a.version,
        digest: a.digest,
        commitSha: a.commitSha,
        sourceRef: a.sourceRef,
        provenance: a.provenance,
        registeredAt: a.createdAt,
        liveIn: regions.filter((r) => stateOf(r.id)?.state.liveArtifactId === a.id).map((r) => r.id),
        quarantine: quarantineOf(quarantined.get(a.digest)),
      })),
      regions: regions.map((region): OfferedRegion => {
        const row = stateOf(region.id);
        return {
          id: region.id,
          name: region.name,
          environment: region.environment,
          reviewers: startRegion(ctx.config, region).reviewers,
          live: row?.liveVersion ? { version: row.liveVersion, colour: row.state.liveColour } : null,
          activeRolloutId: row?.activeRolloutId ?? null,
        };
      }),
    });
  }
  return { services, strategies: [...STRATEGIES], delay: { ...DELAY_MINUTES, default: DEFAULT_DELAY_MINUTES } };
}

/**
 * Anything goes through the transport: previewPlan checks it with the start's own schema, so a half-filled
 * form gets its problems back by field instead of a 400.
 */
export const PreviewPlanInput = z.custom<StartRolloutInput>();

export type PreviewProblem = { field: StartField | "input"; message: string };

export type PreviewedRegion = {
  regionId: string;
  name: string;
  environment: string;
  position: number;
  /** Regions of one wave start together: every region in parallel, one at a time otherwise. */
  wave: number;
  expectedStartMs: number;
  expectedEndMs: number;
  /** The observation period before this region starts (delayed, after the first region). */
  observeBeforeMs: number;
  deployMs: number;
  stages: Array<{ percent: number; durationMs: number }>;
  reviewers: Reviewers;
};

export type PlanPreview = {
  problems: PreviewProblem[];
  /** Null when the regions or the delay are wrong (there is nothing to plan). */
  plan: { strategy: Strategy; delayMinutes: number | null; expectedDurationMs: number; regions: PreviewedRegion[] } | null;
  /** The artifact's contract migration is refused, and this actor (an admin) may start it anyway with a schema override reason. */
  schemaOverridable?: boolean;
};

const FIELDS: readonly string[] = ["serviceId", "artifactId", "strategy", "regions", "delayMinutes"] satisfies StartField[];

/** A zod issue beside its field (`artifact.digest` belongs beside the artifact). */
function toProblem(issue: z.core.$ZodIssue): PreviewProblem {
  const first = issue.path[0] === "artifact" ? "artifactId" : String(issue.path[0] ?? "");
  return { field: FIELDS.includes(first) ? (first as StartField) : "input", message: issue.message };
}

/** The plan a start with these values would run, and why it would be refused (nothing when it would start). */
export async function previewPlan(ctx: ServiceContext, raw: unknown): Promise<PlanPreview> {
  mayStart(ctx);
  const parsed = StartRolloutInput.safeParse(raw);
  const problems: PreviewProblem[] = parsed.success ? [] : parsed.error.issues.map(toProblem);
  // Every field right but no artifact chosen yet: still a plan, with the artifact's problem beside it.
  const fields = parsed.success ? parsed : StartRolloutFields.safeParse(raw);
  if (!fields.success) return { problems, plan: null };
  const input = fields.data;
  const checked = checkStart(ctx, input);
  problems.push(...checked.problems.map((p) => ({ field: p.field, message: p.error.message })));
  let schemaOverridable = false;

  if (checked.service) {
    const serviceId = checked.service.id;
    // An artifact given by its fields is checked when it is registered, at the start itself.
    if (input.artifactId !== undefined) {
      const problem = artifactProblem(ctx, serviceId, await findArtifact(ctx.db, input.artifactId), input.artifactId, checked.regions);
      if (problem) problems.push({ field: "artifactId", message: problem.message });
      const artifact = await findArtifact(ctx.db, input.artifactId);
      const quarantine = artifact ? await quarantineRefusal(ctx.db, serviceId, artifact.digest) : null;
      if (quarantine) problems.push({ field: "artifactId", message: quarantine });
      // The schema-compatibility gate's own refusal, so Start stays disabled (docs/policies.md#schema-compatibility).
      const schema = artifact
        ? await refusalOf(() =>
            checkSchemaCompat(
              ctx.db,
              ctx,
              serviceId,
              artifact,
              checked.regions.map((r) => r.id),
              input.schemaOverrideReason ?? null,
            ),
          )
        : null;
      if (schema) problems.push({ field: "artifactId", message: schema });
      schemaOverridable = schema !== null && actorCan(ctx.actor, "schema.override");
    }
    // The start claims regions with a conditional update; this reads the same column to warn first.
    const busy = await ctx.db.regions.busyRegionIds(
      serviceId,
      checked.regions.map((r) => r.id),
    );
    for (const region of checked.regions.filter((r) => busy.includes(r.id))) {
      problems.push({ field: "regions", message: (await busyRegion(ctx.db, serviceId, region.id)).message });
    }
  }

  const { plan } = checked;
  if (!plan) return { problems, plan: null, schemaOverridable };
  const regions = plan.regions.map((planned): PreviewedRegion => {
    const region = checked.startRegions.find((r) => r.id === planned.regionId)!;
    return {
      regionId: region.id,
      name: region.name,
      environment: region.environment,
      position: planned.position,
      wave: plan.strategy === "parallel" ? 1 : planned.position + 1,
      expectedStartMs: planned.expectedStartMs,
      expectedEndMs: planned.expectedEndMs,
      observeBeforeMs: planned.position > 0 ? plan.delayMs : 0,
      deployMs: region.deployMs,
      stages: region.stages.map((s) => ({ percent: s.percent, durationMs: s.durationMs })),
      reviewers: region.reviewers,
    };
  });
  const delayMinutes = plan.strategy === "delayed" ? (input.delayMinutes ?? null) : null;
  return { problems, plan: { strategy: plan.strategy, delayMinutes, expectedDurationMs: plan.expectedDurationMs, regions }, schemaOverridable };
}
