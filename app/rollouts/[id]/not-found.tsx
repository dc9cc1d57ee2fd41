import { NotFoundMessage } from "@/components/ui/not-found-message";

/** A rollout id that names no rollout (mistyped, or from another Flightdeck's database). */
export default function RolloutNotFound() {
  return (
    <NotFoundMessage
      title="No such rollout"
      back={[
        { href: "/rollouts", label: "All rollouts" },
        { href: "/", label: "Back to the overview" },
      ]}
    >
      <p>No rollout has this id. Rollouts are never deleted, so the id is probably mistyped or comes from another Flightdeck installation.</p>
    </NotFoundMessage>
  );
}
