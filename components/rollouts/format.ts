/** Durations and times for the rollout page. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** An actor string (`user:dana`, `engine`) as a reader would say it. */
export function actorWords(actor: string): string {
  if (actor === "engine") return "engine";
  if (actor === "system") return "system";
  const [kind, ...rest] = actor.split(":");
  const id = rest.join(":");
  return kind === "user" ? id : kind === "token" ? `API token ${id}` : kind === "webhook" ? "CI webhook" : actor;
}
