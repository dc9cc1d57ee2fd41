/** Durations for the rollout page come from the one format module (lib/format.ts) that the cards and the CLI use too. */
export { formatDuration } from "@/lib/format";
