/**
 * Validates a card with Microsoft's own Adaptive Cards parser (the `adaptivecards` package, version pinned in
 * package.json), for tests: its parse events and validation failures, what its re-serialisation dropped (unknown
 * properties, unreadable values), the required properties it does not enforce, and Teams' version ceiling.
 * Returns every problem as a readable line; an empty list means the card is valid.
 */
import { parseWithAdaptiveCards } from "./adaptive-card-parse";
import { findMissingRequiredProperties } from "./adaptive-card-required";
import { findWhatTheParserDropped } from "./adaptive-card-round-trip";
import { AC, TEAMS_MAX_VERSION } from "./adaptive-cards-lib";

const TEAMS_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

function checkTeamsVersion(version: unknown): string[] {
  if (typeof version !== "string") return typeof version === "number" ? [`version: must be a string such as "1.5", got ${version}`] : [];
  const declared = AC.Version.parse(version, new AC.SerializationContext());
  const teamsMax = AC.Version.parse(TEAMS_MAX_VERSION, new AC.SerializationContext());
  if (!declared?.isValid || !teamsMax) return []; // the parser already reports an invalid version string
  return declared.compareTo(teamsMax) > 0 ? [`version: ${version} is newer than Teams renders (up to ${TEAMS_MAX_VERSION})`] : [];
}

export function checkAdaptiveCard(card: unknown): string[] {
  if (typeof card !== "object" || card === null || Array.isArray(card)) return ["card: expected a JSON object"];
  const json = card as Record<string, unknown>;
  const parsed = parseWithAdaptiveCards(json);
  return [
    ...parsed.problems,
    ...findWhatTheParserDropped(json, parsed.reserialised),
    ...findMissingRequiredProperties(json),
    ...checkTeamsVersion(json.version),
  ];
}

/**
 * The message a Teams Workflows webhook ("Post card in a chat or channel") takes: a "message" whose attachments
 * each carry an Adaptive Card. Not an Adaptive Card itself, so checked by hand against Microsoft's documented shape.
 */
export function checkTeamsMessage(message: unknown): string[] {
  const m = message as { type?: unknown; attachments?: unknown } | null;
  if (typeof m !== "object" || m === null) return ["message: expected a JSON object"];
  const problems = m.type === "message" ? [] : [`type: expected "message", got ${JSON.stringify(m.type)}`];
  if (!Array.isArray(m.attachments) || m.attachments.length === 0) return [...problems, "attachments: expected at least one attachment"];
  m.attachments.forEach((attachment: { contentType?: unknown; contentUrl?: unknown; content?: unknown } | null, i) => {
    const at = `attachments[${i}]`;
    if (attachment?.contentType !== TEAMS_CARD_CONTENT_TYPE)
      problems.push(`${at}.contentType: expected ${TEAMS_CARD_CONTENT_TYPE}, got ${JSON.stringify(attachment?.contentType)}`);
    if (attachment?.contentUrl != null) problems.push(`${at}.contentUrl: must be null or absent for an inline card`);
    problems.push(...checkAdaptiveCard(attachment?.content).map((p) => `${at}.content.${p}`));
  });
  return problems;
}
