/**
 * Typed service errors. Transports map them in one place each (tRPC codes, HTTP statuses); an unknown error
 * never leaks its message to a client.
 */
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

export const HTTP_STATUS: Record<ServiceErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  BAD_REQUEST: 400,
  UNPROCESSABLE: 422,
};
