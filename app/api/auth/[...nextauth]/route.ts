import NextAuth from "next-auth";
import { getConfig } from "@/server/config";
import { authOptions } from "@/server/auth/options";
import { withRequestAddress } from "@/server/auth/request-address";
import { clientAddress } from "@/server/security/client-address";

// next-auth's own endpoints (csrf, providers, callbacks, sign-out) are public by nature; every other handler checks roles.
const nextAuth = NextAuth(authOptions);

// The callbacks see no request: the client address (for sign-in throttling and the audit log) rides along.
function handler(request: Request, context: unknown) {
  return withRequestAddress(clientAddress(request.headers, getConfig().config.trustedProxies), () => nextAuth(request, context));
}

export { handler as GET, handler as POST };
