/** The machine's stage and analysis specs from the fleet config (minutes and seconds become milliseconds). */
import type { AnalysisConfig, StageConfig } from "@/server/config/schema";
import type { AnalysisSpec, StageSpec } from "./types";

export function stagesFromConfig(stages: StageConfig[]): StageSpec[] {
  return stages.map((stage, index) => ({
    index,
    percent: stage.percent,
    maxErrorRatePct: stage.maxErrorRatePct,
    maxLatencyP95Ms: stage.maxLatencyP95Ms,
    durationMs: Math.round(stage.durationMinutes * 60_000),
    maxCpuPct: stage.maxCpuPct ?? null,
    maxMemoryPct: stage.maxMemoryPct ?? null,
    healthStatus: stage.healthStatus ?? null,
  }));
}

export function analysisFromConfig(analysis: AnalysisConfig): AnalysisSpec {
  return {
    intervalMs: Math.round(analysis.intervalSeconds * 1000),
    failureLimit: analysis.failureLimit,
    inconclusiveLimit: analysis.inconclusiveLimit,
    minRequests: analysis.minRequests,
    minJudgedFraction: analysis.minJudgedFraction,
    maxExtensionFactor: analysis.maxExtensionFactor,
    confidence: analysis.confidence,
    errorRatePass: analysis.errorRatePass,
    compareToBaseline: analysis.compareToBaseline,
    maxErrorRateIncreasePct: analysis.maxErrorRateIncreasePct,
    maxLatencyIncreasePct: analysis.maxLatencyIncreasePct,
  };
}
