#!/usr/bin/env node
// The `flightdeck` command (`npx flightdeck …`): runs the TypeScript CLI in server/cli through tsx.
import path from "node:path";
import { register } from "tsx/esm/api";

process.env.FLIGHTDECK_HOME ??= path.resolve(import.meta.dirname, "..");
register({ tsconfig: path.join(process.env.FLIGHTDECK_HOME, "tsconfig.json") });
const { main } = await import("../server/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
