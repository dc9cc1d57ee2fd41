/**
 * What the Adaptive Cards parser silently ignores: it drops a property it does not know (a typo such as
 * `colour`) and a value of the wrong JSON type (`wrap: "yes"`, a fact whose value is a number) without logging
 * an event. So we compare the card with the parser's re-serialisation of it: whatever is missing there was not
 * understood, unless the parser's own schema says the property exists and the value was its default (which
 * the serialiser leaves out).
 */
import { AC, type AdaptiveCards } from "./adaptive-cards-lib";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// Lists the parser keeps outside its property schema; it writes them back only when they are non-empty.
const ITEM_LISTS = new Set(["body", "actions", "items", "columns"]);
// The parser writes these back from its own state (the target version, its schema URL), not from the card.
const REWRITTEN_AT_ROOT = new Set(["version", "$schema"]);

/** The parser's object for a JSON node: by its `type`, or by the list it sits in for untyped ones. */
function parserObjectFor(node: Json, listName: string | undefined): AdaptiveCards.SerializableObject | undefined {
  if (listName === "facts") return new AC.Fact();
  if (listName === "columns") return new AC.Column();
  if (node.type === "AdaptiveCard") return new AC.AdaptiveCard();
  if (typeof node.type !== "string") return undefined;
  const registered = AC.GlobalRegistry.elements.findByName(node.type) ?? AC.GlobalRegistry.actions.findByName(node.type);
  return registered ? new registered.objectType() : undefined;
}

function findProperty(object: AdaptiveCards.SerializableObject, name: string): AdaptiveCards.PropertyDefinition | undefined {
  const schema = object.getSchema();
  for (let i = 0; i < schema.getCount(); i++) if (schema.getItemAt(i).name === name) return schema.getItemAt(i);
  return undefined;
}

function fitsProperty(prop: AdaptiveCards.PropertyDefinition, value: unknown): boolean {
  if (prop instanceof AC.BoolProperty) return typeof value === "boolean";
  if (prop instanceof AC.NumProperty) return typeof value === "number";
  if (prop instanceof AC.StringProperty || prop instanceof AC.EnumProperty || prop instanceof AC.ValueSetProperty) return typeof value === "string";
  if (prop instanceof AC.SerializableObjectCollectionProperty) return Array.isArray(value);
  return true;
}

function explainDropped(node: Json, listName: string | undefined, key: string, value: unknown, at: string): string[] {
  const object = parserObjectFor(node, listName);
  if (!object) return [`${at}: dropped by the parser`];
  const prop = findProperty(object, key);
  const typeName = object instanceof AC.CardObject ? object.getJsonTypeName() : object.constructor.name;
  if (!prop && ITEM_LISTS.has(key) && Array.isArray(value)) return value.length === 0 ? [] : [`${at}: the parser kept 0 of ${value.length} items`];
  if (!prop) return [`${at}: not a property of ${typeName}`];
  if (!fitsProperty(prop, value)) return [`${at}: invalid value ${JSON.stringify(value)} for ${typeName}.${key}`];
  return [];
}

// Enum values are case-insensitive and the parser writes them in its own case ("bolder" comes back "Bolder").
const sameScalar = (a: unknown, b: unknown) => a === b || (typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase());

function compare(input: unknown, output: unknown, path: string, listName: string | undefined, problems: string[]): void {
  if (Array.isArray(input)) {
    if (!Array.isArray(output)) return void problems.push(`${path}: the parser could not read this list`);
    if (output.length !== input.length) return void problems.push(`${path}: the parser kept ${output.length} of ${input.length} items`);
    input.forEach((item, i) => compare(item, output[i], `${path}[${i}]`, listName, problems));
  } else if (isObject(input)) {
    if (!isObject(output)) return void problems.push(`${path}: the parser could not read this object`);
    for (const [key, value] of Object.entries(input)) {
      if (path === "" && REWRITTEN_AT_ROOT.has(key)) continue;
      const at = path === "" ? key : `${path}.${key}`;
      if (key in output) compare(value, output[key], at, key, problems);
      else problems.push(...explainDropped(input, listName, key, value, at));
    }
  } else if (!sameScalar(input, output)) {
    problems.push(`${path}: the parser read ${JSON.stringify(input)} as ${JSON.stringify(output)}`);
  }
}

/** Problems as "path: what the parser lost", e.g. `body[0].colour: not a property of TextBlock`. */
export function findWhatTheParserDropped(card: Json, reserialised: Json): string[] {
  const problems: string[] = [];
  compare(card, reserialised, "", undefined, problems);
  return problems;
}
