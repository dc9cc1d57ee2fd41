/**
 * The `?error=` codes of the sign-in page (next-auth's own and ours) and what they mean for the user. No
 * imports: the sign-in form in the browser uses it too.
 */
export const SIGN_IN_ERRORS = {
  CredentialsSignin: "The email or password is wrong, or the account is disabled.",
  DemoModeOff: "Demo sign-in is off: this Flightdeck is not running in demo mode.",
  AccessDenied: "That account may not sign in here: it is disabled, or the provider refused it.",
  EmailInUse: "That email address already belongs to a Flightdeck user. Sign in the way that user signs in.",
  OAuthSignin: "The sign-in provider could not be reached. Try again, or use another way to sign in.",
  OAuthCallback: "The sign-in provider's answer could not be checked. Try again.",
  Callback: "Sign-in failed on the server. Try again; if it keeps failing, check the server log.",
  SessionRequired: "Sign in to open that page.",
} as const;

export type SignInErrorCode = keyof typeof SIGN_IN_ERRORS;

/** The code of a throttled local sign-in, carrying the wait: `Throttled:account:840`. */
export function throttledCode(scope: "account" | "address", waitMs: number): string {
  return `Throttled:${scope}:${Math.max(1, Math.ceil(waitMs / 1000))}`;
}

/** "14 minutes", "40 seconds": a wait rounded up, as a person reads it. */
export function describeWait(waitMs: number): string {
  if (waitMs < 60_000) {
    const s = Math.max(1, Math.ceil(waitMs / 1000));
    return `${s} second${s === 1 ? "" : "s"}`;
  }
  const m = Math.ceil(waitMs / 60_000);
  return `${m} minute${m === 1 ? "" : "s"}`;
}

export function describeSignInError(code: string): string {
  const throttled = /^Throttled:(account|address):(\d{1,7})$/.exec(code);
  if (throttled) {
    const wait = describeWait(Number(throttled[2]) * 1000);
    return throttled[1] === "account"
      ? `Too many failed sign-ins for this account. Wait ${wait} and try again, or ask an admin to check the account.`
      : `Too many failed sign-ins from your network address. Wait ${wait} and try again.`;
  }
  return code in SIGN_IN_ERRORS ? SIGN_IN_ERRORS[code as SignInErrorCode] : `Sign-in failed (${code.slice(0, 60)}). Try again, or use another way to sign in.`;
}

/** Why /signin/refused turned someone away (GitHub or OIDC sign-in), in words; `contact` is the config's auth.contact. */
export function describeRefusal(reason: string, provider: string, contact?: string): { title: string; why: string; ask: string } {
  const via = provider === "github" ? "GitHub" : provider === "oidc" ? "single sign-on" : "that provider";
  const ask = contact ? `Ask ${contact}.` : "Ask an admin of this Flightdeck.";
  switch (reason) {
    case "no-allow-list":
      return {
        title: `Sign-in with ${via} is closed`,
        why: `This Flightdeck does not yet say which organisations, teams or email domains may sign in with ${via}, so it lets nobody in that way.`,
        ask: `${ask} An admin lists who may sign in under auth.allow in the fleet config.`,
      };
    case "not-allowed":
      return {
        title: "Your account may not sign in here",
        why:
          provider === "github"
            ? "Your GitHub account is not an active member of an organisation or team this Flightdeck allows, and has no verified email address in an allowed domain. If you joined recently, accept the organisation's invitation first."
            : "Your email address is not in a domain this Flightdeck allows.",
        ask: `${ask} They can add your organisation, team or domain, or create an account for you.`,
      };
    case "email-unverified":
      return {
        title: "Your email address is not verified",
        why: `${via} did not confirm that your email address is verified, so its domain cannot vouch for you.`,
        ask: `Verify the address with ${via}, or ${ask.toLowerCase()}`,
      };
    case "lookup-failed":
      return {
        title: "Your memberships could not be checked",
        why: `Flightdeck could not ask ${via} which organisations and teams you belong to. If ${via} asked you to grant organisation access, grant it and try again.`,
        ask: `Try again in a minute. If it keeps failing, ${ask.toLowerCase()}`,
      };
    case "disabled":
      return { title: "Your account is disabled", why: "An admin disabled your Flightdeck account.", ask: `${ask} An admin can enable it again.` };
    default:
      return { title: "Sign-in refused", why: "This Flightdeck refused the sign-in.", ask };
  }
}
