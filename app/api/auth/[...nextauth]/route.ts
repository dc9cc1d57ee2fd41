import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/options";

// next-auth's own endpoints (csrf, providers, callbacks, sign-out) are public by nature; every other handler checks roles.
const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };
