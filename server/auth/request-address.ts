/**
 * The client address of the sign-in request being handled, for throttling and the audit log. next-auth's
 * callbacks do not see the request, so the auth route handler runs them inside `withRequestAddress`
 * (computed by `clientAddress`, which believes X-Forwarded-For only from the config's trusted proxies).
 */
import { AsyncLocalStorage } from "node:async_hooks";

const store = new AsyncLocalStorage<string>();

export function withRequestAddress<T>(address: string, run: () => T): T {
  return store.run(address, run);
}

/** "unknown" outside a request (a test calling a callback directly). */
export function requestAddress(): string {
  return store.getStore() ?? "unknown";
}
