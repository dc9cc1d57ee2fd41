/** What the sign-in page offers: demo users (only in demo mode) and the OAuth providers that are configured. */
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { realClock, type TimeSource } from "@/server/engine/clock";
import { systemContext } from "@/server/services/context";
import { listDemoUsers, seedDemoUsers, type DemoUser } from "@/server/services/users-demo";
import { configuredOAuthProviders, type OAuthButton } from "./oauth-allow";

export type SignInChoices = { demoMode: boolean; demoUsers: DemoUser[]; oauth: OAuthButton[] };

export async function signInChoices(clock: TimeSource = realClock): Promise<SignInChoices> {
  const { config } = getConfig();
  const demoMode = config.demo;
  let demoUsers: DemoUser[] = [];
  if (demoMode) {
    const db = getDb();
    await seedDemoUsers(systemContext(db, config, clock)); // idempotent; start-up seeds them as well
    demoUsers = await listDemoUsers(db);
  }
  return { demoMode, demoUsers, oauth: configuredOAuthProviders() };
}
