import { describe, expect, it } from "vitest";
import { ciActorNames } from "./approvals-initiator";

// Who a name CI sends stands for: generous on purpose, since a false match only sends the approval to someone else.
const sam = { name: "Sam Okafor", email: "sam@acme.com" };

describe("ciActorNames", () => {
  const cases: Array<[string, boolean, string]> = [
    ["sam@acme.com", true, "the user's email"],
    ["SAM@ACME.COM", true, "the email in another case"],
    ["sam", true, "the part of the email before @ (a GitHub login that matches it)"],
    ["Sam Okafor", true, "the display name"],
    [" sam okafor ", true, "the display name with spaces around, in another case"],
    ["sam@other.org", false, "the same local part at another domain: an email must match whole"],
    ["samuel", false, "a longer login"],
    ["octocat", false, "someone else"],
  ];
  for (const [actor, matches, why] of cases) {
    it(`${matches ? "matches" : "does not match"} ${JSON.stringify(actor)}: ${why}`, () => expect(ciActorNames(actor, sam)).toBe(matches));
  }
});
