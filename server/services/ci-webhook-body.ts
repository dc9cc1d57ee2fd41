/**
 * The CI webhook's body: a stable contract that CI pipelines script against (docs/ci/, README "CI").
 * Strict: an unknown key is refused by name, so a typo such as `delay_minutes` does not pass silently.
 */
import { z } from "zod";
import { delayProblem } from "@/server/engine/machine";
import { ArtifactUrl, ArtifactVersion, ReleaseManifestFields } from "./artifacts";
import { problemsFromIssues, type Problem } from "./errors";

export const CiWebhookBody = z
  .strictObject({
    service: z.string().min(1).max(100),
    artifact: z.strictObject({
      version: ArtifactVersion,
      digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: "expected sha256: followed by 64 lowercase hex digits" }),
      url: ArtifactUrl,
      /** Optional: the release manifest (`flightdeck.json`'s fields), judged by the schema-compatibility gate (docs/policies.md#schema-compatibility). */
      manifest: ReleaseManifestFields.optional(),
    }),
    ref: z.string().regex(/^refs\/(heads|tags)\/\S{1,240}$/, { error: "expected a full git ref such as refs/heads/main" }),
    commit: z.string().regex(/^[0-9a-f]{40}$/, { error: "expected the 40 hex digits of the commit" }),
    strategy: z.enum(["sequential", "delayed", "parallel"]),
    regions: z.union([z.literal("all"), z.array(z.string().min(1).max(100)).min(1, { error: "expected at least one region" }).max(50)], {
      error: 'expected "all" or a list of region ids',
    }),
    delayMinutes: z.number().optional(),
    /**
     * Optional: the person behind the change as CI knows them (GitHub: `github.actor`). Signed with the body;
     * stored on the rollout, and that person cannot approve its gates (approvals-initiator.ts says how it matches).
     */
    actor: z
      .string()
      .regex(/^[^\x00-\x1f\x7f]{1,200}$/, { error: "expected the name, login or email of the person behind the change (1 to 200 printable characters)" })
      .optional(),
  })
  .superRefine((body, ctx) => {
    const problem = delayProblem(body.strategy, body.delayMinutes);
    if (problem) ctx.addIssue({ code: "custom", path: ["delayMinutes"], message: problem });
  });
export type CiWebhookBody = z.infer<typeof CiWebhookBody>;

export type BodyIssue = Problem;

/** The body's problems, by the one formatter every transport uses; the body itself is `(body)`. */
export function issuesOf(error: z.ZodError): BodyIssue[] {
  return problemsFromIssues(error.issues, "(body)");
}
