/** Durations for the rollout page come from the one format module (lib/format.ts) that the cards and the CLI use too. */
export { formatDuration } from "@/lib/format";

/** An actor string (`user:dana`, `engine`) as a reader would say it. */
export function actorWords(actor: string): string {
  if (actor === "engine") return "engine";
  if (actor === "system") return "system";
  const [kind, ...rest] = actor.split(":");
  const id = rest.join(":");
  return kind === "user" ? id : kind === "token" ? `API token ${id}` : kind === "webhook" ? "CI webhook" : actor;
}
