/**
 * The reviewer policy of an environment. Fails closed: an environment that no rule matches is protected with
 * 1 functional + 1 SRE reviewer, whatever its name; only a rule with `protected: false` opts one out.
 */
import { DEFAULT_ENVIRONMENT_RULE, type EnvironmentRule, type FleetConfig } from "./schema";

/** The rule in effect for an environment: the first matching rule, else the default (protected, 1 + 1). */
export function environmentPolicy(config: Pick<FleetConfig, "policies">, environment: string): EnvironmentRule {
  const rule = config.policies.environments.find((p) => globMatch(p.match, environment));
  return rule ?? { ...DEFAULT_ENVIRONMENT_RULE, requiredReviewers: { ...DEFAULT_ENVIRONMENT_RULE.requiredReviewers } };
}

/** No gate and no allowed-refs check: what `protected: false` (or a rule of zero reviewers) leaves an environment with. */
export function isUnprotected(rule: EnvironmentRule): boolean {
  return !rule.protected || rule.requiredReviewers.functional + rule.requiredReviewers.sre === 0;
}

/** `*` matches any run of characters except `/`. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*") +
      "$",
  );
  return re.test(value);
}
