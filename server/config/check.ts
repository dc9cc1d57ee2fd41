/**
 * Start-up preflight (`npm start` runs it before building): the fleet config and the environment, every problem
 * printed by path, exit 1. No stack traces.
 */
import { loadConfigOrExit } from "./load";
import { checkEnvironmentOrExit } from "./env";

const { file, config } = loadConfigOrExit();
checkEnvironmentOrExit();
console.log(`Config ${file}: ${config.regions.length} region(s), ${config.services.length} service(s)${config.demo ? ", demo mode" : ""}.`);
