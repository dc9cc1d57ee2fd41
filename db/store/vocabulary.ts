/** The domain's fixed words that the tables also constrain: the code above the store takes them from here. */
export { ROLES, type Role } from "../schema/role-assignments";
export { ROLLOUT_STATUSES, type RolloutStatus, type Strategy } from "../schema/rollouts";
