/**
 * Properties the official schema (adaptivecards.io/schemas/1.5.0/adaptive-card.json) marks required but the
 * parser does not enforce: it reads a FactSet without facts, a Fact without a value or a TextBlock without text
 * as empty, and a top-level card without a version as 1.0. (Required values it does enforce, such as
 * Action.OpenUrl's url or Image's url, are left to it.) Only types whose gaps we know are listed.
 */
type Json = Record<string, unknown>;

const REQUIRED: Record<string, string[]> = {
  AdaptiveCard: ["version"],
  TextBlock: ["text"],
  FactSet: ["facts"],
  Fact: ["title", "value"],
};

function visit(node: unknown, path: string, listName: string | undefined, problems: string[]): void {
  if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${path}[${i}]`, listName, problems));
  if (typeof node !== "object" || node === null) return;
  const object = node as Json;
  const typeName = listName === "facts" ? "Fact" : typeof object.type === "string" ? object.type : undefined;
  for (const key of (typeName && REQUIRED[typeName]) || []) {
    if (object[key] === undefined || object[key] === null) problems.push(`${path ? `${path}.` : ""}${key}: required on ${typeName}`);
  }
  for (const [key, value] of Object.entries(object)) visit(value, path ? `${path}.${key}` : key, key, problems);
}

export function findMissingRequiredProperties(card: Json): string[] {
  const problems: string[] = [];
  visit(card, "", undefined, problems);
  return problems;
}
