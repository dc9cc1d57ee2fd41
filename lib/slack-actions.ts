/**
 * The contract between the buttons on a Slack card (server/providers/notify-slack) and the endpoint that receives
 * their presses (server/services/slack-actions.ts): the action ids, and the button value, which names the rollout
 * and the region and nothing else (no secret, no user: who pressed is what Slack signs).
 */
export const SLACK_ACTIONS = {
  approve: "flightdeck.approve",
  reject: "flightdeck.reject",
  pause: "flightdeck.pause",
  rollback: "flightdeck.rollback",
  acknowledge: "flightdeck.acknowledge",
} as const;
export type SlackAction = keyof typeof SLACK_ACTIONS;

/** The block that holds the buttons: the card update replaces it once the card's question is settled. */
export const SLACK_ACTIONS_BLOCK_ID = "flightdeck_actions";

export type SlackButtonTarget = { rolloutId: string; regionId: string };

export function encodeButtonValue(target: SlackButtonTarget): string {
  return JSON.stringify({ rolloutId: target.rolloutId, regionId: target.regionId });
}

/** The target a button names, or null when the value is not one Flightdeck made. */
export function decodeButtonValue(value: unknown): SlackButtonTarget | null {
  if (typeof value !== "string" || value.length > 2000) return null;
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const { rolloutId, regionId } = parsed;
    return typeof rolloutId === "string" && rolloutId && typeof regionId === "string" && regionId ? { rolloutId, regionId } : null;
  } catch {
    return null;
  }
}

export function slackActionOf(actionId: unknown): SlackAction | null {
  const found = Object.entries(SLACK_ACTIONS).find(([, id]) => id === actionId);
  return found ? (found[0] as SlackAction) : null;
}
