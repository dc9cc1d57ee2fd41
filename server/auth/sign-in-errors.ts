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

export function describeSignInError(code: string): string {
  return code in SIGN_IN_ERRORS
    ? SIGN_IN_ERRORS[code as SignInErrorCode]
    : `Sign-in failed (${code.slice(0, 60)}). Try again, or use another way to sign in.`;
}
