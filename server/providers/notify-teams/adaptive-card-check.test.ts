import { describe, expect, it } from "vitest";
import { checkAdaptiveCard, checkTeamsMessage } from "./adaptive-card-check";

const card = (extra: Record<string, unknown>) => ({ type: "AdaptiveCard", version: "1.5", ...extra });
const text = (extra: Record<string, unknown> = {}) => ({ type: "TextBlock", text: "Deploy finished", ...extra });
const message = (content: unknown, attachment: Record<string, unknown> = {}) => ({
  type: "message",
  attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content, ...attachment }],
});

describe("checkAdaptiveCard, backed by Microsoft's adaptivecards parser", () => {
  it("passes a well-formed card", () => {
    const valid = card({
      body: [text({ weight: "Bolder", size: "Large", color: "Attention", wrap: true }), { type: "FactSet", facts: [{ title: "Region", value: "EU West" }] }],
      actions: [{ type: "Action.OpenUrl", title: "Logs", url: "https://logs.example.com/q" }],
      fallbackText: "Deploy finished",
    });
    expect(checkAdaptiveCard(valid)).toEqual([]);
  });

  it("passes properties spelled out at their default values and enum values in any case", () => {
    const defaults = card({
      body: [text({ wrap: false, separator: false, isVisible: true, spacing: "Default", size: "default", weight: "bolder" }), { type: "Container", items: [] }],
      actions: [{ type: "Action.OpenUrl", title: "Logs", url: "https://logs.example.com/q", style: "default" }],
    });
    expect(checkAdaptiveCard(defaults)).toEqual([]);
  });

  it.each([
    [
      "an unknown element type",
      card({ body: [{ type: "Markdown", text: "x" }] }),
      ['Unknown element type "Markdown". Fallback will be used if present.', "body: the parser kept 0 of 1 items"],
    ],
    [
      "an unknown action type",
      card({ actions: [{ type: "Action.Teleport", title: "x" }] }),
      ['Unknown action type "Action.Teleport". Fallback will be used if present.', "actions: the parser kept 0 of 1 items"],
    ],
    ["a FactSet without facts", card({ body: [{ type: "FactSet" }] }), ["body[0].facts: required on FactSet"]],
    ["a fact without a value", card({ body: [{ type: "FactSet", facts: [{ title: "Region" }] }] }), ["body[0].facts[0].value: required on Fact"]],
    [
      "a fact whose value is a number",
      card({ body: [{ type: "FactSet", facts: [{ title: "Errors", value: 3 }] }] }),
      ["body[0].facts[0].value: invalid value 3 for Fact.value"],
    ],
    ["an Action.OpenUrl without url", card({ actions: [{ type: "Action.OpenUrl", title: "Logs" }] }), ['Action.OpenUrl: Property "url" must be set.']],
    ["a TextBlock with an invalid weight", card({ body: [text({ weight: "heavy" })] }), ['TextBlock: Invalid value "heavy" for property "weight".']],
    ["a TextBlock with an invalid size", card({ body: [text({ size: "huge" })] }), ['TextBlock: Invalid value "huge" for property "size".']],
    ["a TextBlock without text", card({ body: [{ type: "TextBlock", wrap: true }] }), ["body[0].text: required on TextBlock"]],
    ["a property TextBlock does not have", card({ body: [text({ colour: "red" })] }), ["body[0].colour: not a property of TextBlock"]],
    ["a boolean written as a string", card({ body: [text({ wrap: "yes" })] }), ['body[0].wrap: invalid value "yes" for TextBlock.wrap']],
    ["a property the card does not have", card({ title: "Deploy" }), ["title: not a property of AdaptiveCard"]],
    ["no version", { type: "AdaptiveCard", body: [text()] }, ["version: required on AdaptiveCard"]],
    [
      "a version that is not a version",
      card({ version: "abc" }),
      [
        'Invalid version string "abc".',
        "AdaptiveCard: The specified card version (abc) is not supported or still in preview. The latest released card version is 1.6.",
      ],
    ],
    [
      "a version no renderer supports",
      card({ version: "9.9" }),
      [
        "AdaptiveCard: The specified card version (9.9) is not supported or still in preview. The latest released card version is 1.6.",
        "version: 9.9 is newer than Teams renders (up to 1.5)",
      ],
    ],
    ["a version newer than Teams renders", card({ version: "1.6" }), ["version: 1.6 is newer than Teams renders (up to 1.5)"]],
    ["a version written as a number", card({ version: 1.5 }), ['version: must be a string such as "1.5", got 1.5']],
    [
      "an element newer than the card's version",
      card({ version: "1.2", body: [{ type: "Table", columns: [] }] }),
      ["Table needs card version 1.5; this card is read as 1.2.", "body: the parser kept 0 of 1 items"],
    ],
    [
      "a type other than AdaptiveCard",
      { type: "Card", version: "1.5" },
      [`AdaptiveCard: Invalid or missing card type. Make sure the card's type property is set to "AdaptiveCard".`],
    ],
    [
      "more buttons than the default host config allows",
      card({ actions: [1, 2, 3, 4, 5, 6].map((n) => ({ type: "Action.OpenUrl", title: `Link ${n}`, url: `https://x.example.com/${n}` })) }),
      ["AdaptiveCard: Maximum number of actions exceeded (5)."],
    ],
    ["two elements with one id", card({ body: [text({ id: "a" }), text({ id: "a" })] }), ['TextBlock "a": Duplicate Id "a".']],
  ])("rejects %s", (_mistake, broken, problems) => {
    expect(checkAdaptiveCard(broken)).toEqual(problems);
  });

  it("rejects something that is not an object", () => {
    expect(checkAdaptiveCard("card")).toEqual(["card: expected a JSON object"]);
  });
});

describe("checkTeamsMessage, the Teams Workflows webhook envelope", () => {
  it("passes a message carrying one valid card", () => {
    expect(checkTeamsMessage(message(card({ body: [text()] })))).toEqual([]);
  });

  it("reports a broken card inside the envelope with its path", () => {
    expect(checkTeamsMessage(message(card({ body: [{ type: "FactSet" }] })))).toEqual(["attachments[0].content.body[0].facts: required on FactSet"]);
  });

  it.each([
    ["another message type", { ...message(card({})), type: "card" }, ['type: expected "message", got "card"']],
    ["no attachments", { type: "message", attachments: [] }, ["attachments: expected at least one attachment"]],
    [
      "another content type",
      message(card({}), { contentType: "application/json" }),
      ['attachments[0].contentType: expected application/vnd.microsoft.card.adaptive, got "application/json"'],
    ],
    [
      "a card by URL",
      message(card({}), { contentUrl: "https://cards.example.com/1" }),
      ["attachments[0].contentUrl: must be null or absent for an inline card"],
    ],
    ["no card", message(undefined), ["attachments[0].content.card: expected a JSON object"]],
  ])("rejects %s", (_mistake, broken, problems) => {
    expect(checkTeamsMessage(broken)).toEqual(problems);
  });
});
