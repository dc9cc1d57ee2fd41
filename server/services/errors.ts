/**
 * Typed service errors, and the one table every transport maps them by (ERROR_KINDS: tRPC code, HTTP status,
 * the CI webhook's contract status, the CLI's exit code). Bad input is one kind of error with one shape: a list
 * of `{ path, message }` (invalidInput, problemsOf), the same through tRPC, REST, the webhook and the CLI. An
 * unknown error never leaks its message to a client.
 */
import type { z } from "zod";
import { issuesToProblems, type ConfigProblem } from "@/server/config/load";
export type ServiceErrorCode = "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PRECONDITION_FAILED" | "BAD_REQUEST" | "UNPROCESSABLE";

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

export const unauthorized = (message = "Sign in first.") => new ServiceError("UNAUTHORIZED", message);
export const forbidden = (message: string) => new ServiceError("FORBIDDEN", message);
export const notFound = (message: string) => new ServiceError("NOT_FOUND", message);
export const conflict = (message: string, details?: unknown) => new ServiceError("CONFLICT", message, details);
export const preconditionFailed = (message: string) => new ServiceError("PRECONDITION_FAILED", message);
export const badRequest = (message: string, details?: unknown) => new ServiceError("BAD_REQUEST", message, details);
export const unprocessable = (message: string) => new ServiceError("UNPROCESSABLE", message);

/** One piece of bad input: where (`artifact.version`, `regions[1]`, `(body)`) and what is wrong. */
export type Problem = ConfigProblem;

/**
 * The one table of error kinds. `webhook` is the CI webhook's documented status (README "CI"): an unknown
 * service or region is 422 there, a refused ref 403. `exit` is the CLI's exit code (2: fix the command).
 */
export const ERROR_KINDS = {
  UNAUTHORIZED: { trpc: "UNAUTHORIZED", http: 401, webhook: 401, exit: 1 },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403, webhook: 403, exit: 1 },
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404, webhook: 422, exit: 1 },
  CONFLICT: { trpc: "CONFLICT", http: 409, webhook: 409, exit: 1 },
  PRECONDITION_FAILED: { trpc: "PRECONDITION_FAILED", http: 412, webhook: 403, exit: 1 },
  BAD_REQUEST: { trpc: "BAD_REQUEST", http: 400, webhook: 400, exit: 2 },
  UNPROCESSABLE: { trpc: "UNPROCESSABLE_CONTENT", http: 422, webhook: 422, exit: 1 },
} as const satisfies Record<ServiceErrorCode, { trpc: string; http: number; webhook: number; exit: number }>;

/** What a client is told when an error is not a ServiceError (the error itself is logged, never sent). */
export const UNKNOWN_ERROR_MESSAGE = "Something went wrong on the server; it has been logged.";

/** The one formatter of validation issues; the root of the input is named `root` ("(root)" by default). */
export function problemsFromIssues(issues: ReadonlyArray<z.core.$ZodIssue>, root?: string): Problem[] {
  return issuesToProblems(issues).map((p) => (root && p.path === "(root)" ? { ...p, path: root } : p));
}

export const problemsMessage = (problems: Problem[]) => problems.map((p) => `${p.path}: ${p.message}`).join("; ");

/** Bad input: a 400 whose message names each field, carrying the problems for the transports. */
export function invalidInput(problems: Problem[], prefix = ""): ServiceError {
  return new ServiceError("BAD_REQUEST", `${prefix}${problemsMessage(problems)}`, { issues: problems });
}

/** The `{ path, message }` list an error carries: its issues, or its one named path (`details.path`), or none. */
export function problemsOf(err: ServiceError): Problem[] | undefined {
  const details = err.details as { issues?: unknown; problems?: unknown; path?: unknown } | undefined;
  const list = details?.issues ?? details?.problems;
  if (Array.isArray(list)) return list as Problem[];
  if (err.code === "BAD_REQUEST" && typeof details?.path === "string") return [{ path: details.path, message: err.message }];
  return undefined;
}
