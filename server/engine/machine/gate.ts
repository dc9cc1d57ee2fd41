/** The approval gate of a protected environment: how many distinct reviewers of each kind approved. */
import type { ApprovalRecord, Gate } from "./types";

export type GateStatus =
  | { status: "not_required" }
  | { status: "waiting"; functional: number; sre: number }
  | { status: "approved"; approvers: ApprovalRecord[] }
  | { status: "rejected"; rejection: ApprovalRecord };

export function gateRequired(gate: Gate): boolean {
  return gate.required !== null && gate.required.functional + gate.required.sre > 0;
}

/** Any rejection wins; otherwise approved once each kind has its count of distinct reviewers. */
export function gateStatus(gate: Gate): GateStatus {
  if (!gateRequired(gate) || gate.required === null) return { status: "not_required" };
  const rejection = gate.approvals.find((a) => a.decision === "rejected");
  if (rejection) return { status: "rejected", rejection };
  const approvals = gate.approvals.filter((a) => a.decision === "approved");
  const distinct = (kind: ApprovalRecord["kind"]) => new Set(approvals.filter((a) => a.kind === kind).map((a) => a.reviewerId)).size;
  const functional = distinct("functional");
  const sre = distinct("sre");
  if (functional >= gate.required.functional && sre >= gate.required.sre) return { status: "approved", approvers: approvals };
  return { status: "waiting", functional, sre };
}

/** "1 functional and 1 SRE reviewer" (only the kinds that count). */
export function describeRequirement(required: { functional: number; sre: number }): string {
  // The role is "reviewer" and the stored gate kind "functional": words say reviewer (docs/glossary.md).
  const parts = [];
  if (required.functional > 0) parts.push(`${required.functional} reviewer${required.functional === 1 ? "" : "s"}`);
  if (required.sre > 0) parts.push(`${required.sre} SRE${required.sre === 1 ? "" : "s"}`);
  return parts.join(" and ");
}
