/** The pure rollout machine: plan, decide, commands, analysis. No I/O; time comes in as `now`. */
export * from "./types";
export { decide } from "./decide";
export { applyCommand, type CommandContext } from "./commands";
export { assessSample, analyseCause, type SampleAssessment } from "./analysis";
export { planRollout, delayProblem, expectedRegionMs, PlanError, DELAY_MINUTES } from "./plan";
export { rolloutStatus, isTerminalPhase } from "./status";
export { stagesFromConfig, analysisFromConfig } from "./from-config";
export { gateStatus, gateRequired, type GateStatus } from "./gate";
export { describeCause, describeBreach, formatDuration } from "./messages";
