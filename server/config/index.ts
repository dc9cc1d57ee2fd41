import { loadConfig, type LoadedConfig } from "./load";

const globalForConfig = globalThis as unknown as { flightdeckConfig?: LoadedConfig };

/** The fleet config in effect for this process, loaded once. Start-up has already checked it (instrumentation). */
export function getConfig(): LoadedConfig {
  globalForConfig.flightdeckConfig ??= loadConfig();
  return globalForConfig.flightdeckConfig;
}

/** For tests and the simulator: use this config in this process. */
export function setConfig(loaded: LoadedConfig): void {
  globalForConfig.flightdeckConfig = loaded;
}

/** The config in effect if one was loaded or set, without loading it (hot paths that only act on a loaded config). */
export function peekConfig(): LoadedConfig | undefined {
  return globalForConfig.flightdeckConfig;
}
