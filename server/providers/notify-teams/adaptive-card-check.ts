/**
 * A hand-written check of the Adaptive Card subset Flightdeck emits, following the official schema
 * (adaptivecards.io/schemas/1.5.0/adaptive-card.json): the element types we use, their required fields,
 * the enum values they allow, and no property the schema does not define (the schema sets
 * additionalProperties: false). No schema package is installed; this covers only what our cards use, and
 * rejects anything else rather than guessing. Returns the problems as "path: what is wrong".
 */
type Rule = { required: string[]; optional: Record<string, (v: unknown) => boolean> };

const isString = (v: unknown) => typeof v === "string";
const isBool = (v: unknown) => typeof v === "boolean";
const oneOf = (...values: string[]) => (v: unknown) => typeof v === "string" && values.includes(v);
const isUrl = (v: unknown) => typeof v === "string" && /^https?:\/\/\S+$/.test(v);

const COMMON_ELEMENT = { id: isString, isVisible: isBool, separator: isBool, spacing: oneOf("default", "none", "small", "medium", "large", "extraLarge", "padding") };

const ELEMENTS: Record<string, Rule> = {
  TextBlock: {
    required: ["text"],
    optional: {
      ...COMMON_ELEMENT,
      text: isString,
      wrap: isBool,
      isSubtle: isBool,
      size: oneOf("default", "small", "medium", "large", "extraLarge"),
      weight: oneOf("default", "lighter", "bolder"),
      color: oneOf("default", "dark", "light", "accent", "good", "warning", "attention"),
      maxLines: (v) => Number.isInteger(v),
    },
  },
  FactSet: { required: ["facts"], optional: { ...COMMON_ELEMENT, facts: Array.isArray } },
};

const ACTIONS: Record<string, Rule> = {
  "Action.OpenUrl": { required: ["url"], optional: { url: isUrl, title: isString, id: isString, tooltip: isString, style: oneOf("default", "positive", "destructive") } },
};

// The schema's enums are case-insensitive in practice (hosts accept "Large" and "large").
const lower = (v: unknown) => (typeof v === "string" ? v.charAt(0).toLowerCase() + v.slice(1) : v);

function checkObject(value: unknown, rules: Record<string, Rule>, path: string, problems: string[]): void {
  if (!value || typeof value !== "object") return void problems.push(`${path}: expected an object`);
  const obj = value as Record<string, unknown>;
  const rule = typeof obj.type === "string" ? rules[obj.type] : undefined;
  if (!rule) return void problems.push(`${path}.type: ${JSON.stringify(obj.type)} is not an allowed type (${Object.keys(rules).join(", ")})`);
  for (const key of rule.required) if (obj[key] === undefined) problems.push(`${path}.${key}: required`);
  for (const [key, v] of Object.entries(obj)) {
    if (key === "type") continue;
    const check = rule.optional[key];
    if (!check) problems.push(`${path}.${key}: not a property of ${obj.type}`);
    else if (!check(key === "text" || key === "url" ? v : lower(v))) problems.push(`${path}.${key}: invalid value ${JSON.stringify(v)}`);
  }
  if (obj.type === "FactSet" && Array.isArray(obj.facts)) {
    obj.facts.forEach((fact, i) => {
      const f = fact as Record<string, unknown>;
      if (!isString(f?.title) || !isString(f?.value)) problems.push(`${path}.facts[${i}]: title and value must be strings`);
      const extra = Object.keys(f ?? {}).filter((k) => k !== "title" && k !== "value");
      if (extra.length) problems.push(`${path}.facts[${i}]: unknown ${extra.join(", ")}`);
    });
  }
}

const CARD_PROPS = new Set(["type", "$schema", "version", "body", "actions", "fallbackText", "speak", "lang", "minHeight", "rtl", "verticalContentAlignment"]);

export function checkAdaptiveCard(card: unknown): string[] {
  const problems: string[] = [];
  if (!card || typeof card !== "object") return ["card: expected an object"];
  const c = card as Record<string, unknown>;
  if (c.type !== "AdaptiveCard") problems.push(`type: expected "AdaptiveCard", got ${JSON.stringify(c.type)}`);
  if (typeof c.version !== "string" || !/^\d+\.\d+$/.test(c.version)) problems.push(`version: required, a string such as "1.5"`);
  for (const key of Object.keys(c)) if (!CARD_PROPS.has(key)) problems.push(`${key}: not a property of AdaptiveCard`);
  if (c.body !== undefined) {
    if (!Array.isArray(c.body)) problems.push("body: expected a list");
    else c.body.forEach((el, i) => checkObject(el, ELEMENTS, `body[${i}]`, problems));
  }
  if (c.actions !== undefined) {
    if (!Array.isArray(c.actions)) problems.push("actions: expected a list");
    else c.actions.forEach((a, i) => checkObject(a, ACTIONS, `actions[${i}]`, problems));
  }
  return problems;
}

/** The Teams Workflows webhook envelope around one Adaptive Card. */
export function checkTeamsMessage(message: unknown): string[] {
  const m = message as { type?: unknown; attachments?: Array<{ contentType?: unknown; content?: unknown }> };
  if (m?.type !== "message") return [`type: expected "message"`];
  if (!Array.isArray(m.attachments) || m.attachments.length === 0) return ["attachments: expected at least one"];
  return m.attachments.flatMap((a, i) =>
    a.contentType !== "application/vnd.microsoft.card.adaptive" ? [`attachments[${i}].contentType: expected application/vnd.microsoft.card.adaptive`] : checkAdaptiveCard(a.content).map((p) => `attachments[${i}].content.${p}`),
  );
}
