/**
 * Start-up preflight (`npm start` runs the same before building): the fleet config and the environment, every
 * problem printed by path, exit 1. No stack traces. Prints what the server would use and any warning.
 */
import { preflightOrExit } from "./preflight";

for (const line of preflightOrExit().banner) console.log(line);
