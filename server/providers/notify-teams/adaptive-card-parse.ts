/**
 * Runs a card through Microsoft's parser the way a host does: parse (collecting every parse event: unknown
 * element or action types, invalid property values, bad version strings), then validateProperties() (missing
 * card type, unsupported version, missing required values such as Action.OpenUrl's url, duplicate ids, too many
 * actions). The parse targets the card's declared version, capped at what Teams renders, so an element newer
 * than that is reported. Also returns the parser's re-serialisation of the card, for the round-trip check.
 */
import { AC, TEAMS_MAX_VERSION, type AdaptiveCards } from "./adaptive-cards-lib";

export type ParsedCard = { problems: string[]; reserialised: Record<string, unknown> };

function targetVersionOf(json: Record<string, unknown>): AdaptiveCards.Version {
  const teamsMax = AC.Version.parse(TEAMS_MAX_VERSION, new AC.SerializationContext()) as AdaptiveCards.Version;
  // Version.parse logs bad strings to the context it is given; this scratch one is dropped, the real parse reports them.
  const declared = typeof json.version === "string" ? AC.Version.parse(json.version, new AC.SerializationContext()) : undefined;
  return declared?.isValid && declared.compareTo(teamsMax) <= 0 ? declared : teamsMax;
}

function describeSource(source: AdaptiveCards.SerializableObject | undefined): string {
  if (!(source instanceof AC.CardObject)) return "";
  return `${source.getJsonTypeName()}${source.id ? ` "${source.id}"` : ""}: `;
}

/** The parser calls a known type "unknown" when it is newer than the target version; say which version it needs. */
function explainUnknownType(event: AdaptiveCards.IValidationEvent, target: AdaptiveCards.Version): string {
  const isTypeEvent = event.event === AC.ValidationEvent.UnknownElementType || event.event === AC.ValidationEvent.UnknownActionType;
  const typeName = isTypeEvent ? /"([^"]+)"/.exec(event.message)?.[1] : undefined;
  const known = typeName ? (AC.GlobalRegistry.elements.findByName(typeName) ?? AC.GlobalRegistry.actions.findByName(typeName)) : undefined;
  if (!known) return event.message;
  return `${typeName} needs card version ${known.schemaVersion.toString()}; this card is read as ${target.toString()}.`;
}

export function parseWithAdaptiveCards(json: Record<string, unknown>): ParsedCard {
  const target = targetVersionOf(json);
  const context = new AC.SerializationContext(target);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);

  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`${describeSource(event.source)}${explainUnknownType(event, target)}`);
  }
  for (const event of card.validateProperties().validationEvents) problems.push(`${describeSource(event.source)}${event.message}`);

  const reserialised = card.toJSON(new AC.SerializationContext(target)) ?? {};
  return { problems, reserialised };
}
