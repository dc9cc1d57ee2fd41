import { describe, expect, it } from "vitest";
import { checkEnvironment } from "./env";

describe("environment check", () => {
  it("passes an empty environment: every variable has a default or is optional", () => {
    expect(checkEnvironment({})).toEqual([]);
  });

  it("names each bad variable and what it should be", () => {
    expect(checkEnvironment({ PORT: "eighty", NEXTAUTH_SECRET: "short", LOG_LEVEL: "loud" })).toEqual(
      expect.arrayContaining([
        { path: "PORT", message: 'expected a port number, got "eighty"' },
        { path: "NEXTAUTH_SECRET", message: "must be at least 32 characters (openssl rand -base64 32)" },
        expect.objectContaining({ path: "LOG_LEVEL" }),
      ]),
    );
  });

  it("refuses a database URL that is not PostgreSQL's, naming the variable without echoing it (it may hold a password)", () => {
    const message = "expected a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/flightdeck";
    for (const url of ["mysql://fd:secret@db/flightdeck", "postgres//fd:secret@db", "data/flightdeck.db"])
      expect(checkEnvironment({ FLIGHTDECK_DATABASE_URL: url })).toEqual([{ path: "FLIGHTDECK_DATABASE_URL", message }]);
    expect(checkEnvironment({ FLIGHTDECK_DATABASE_URL: "postgresql://fd:secret@127.0.0.1:5432/flightdeck" })).toEqual([]);
  });

  it("asks for the rest of a sign-in provider's settings when only some are set", () => {
    expect(checkEnvironment({ OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "fd" })).toEqual([
      { path: "OIDC_CLIENT_SECRET", message: "is required for OIDC sign-in because OIDC_ISSUER and OIDC_CLIENT_ID are set" },
    ]);
  });
});
