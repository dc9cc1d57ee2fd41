/**
 * The config in effect, for the admin's settings page. Secrets are never in the config file itself (fields
 * ending in `Env` name a variable), so the page shows each variable's NAME and whether it is set, never its
 * value. Credentials written into a URL (`https://user:pass@host`) are masked too, in case someone did.
 */
import { can } from "@/server/auth/roles";
import type { Env } from "@/server/config/load";
import { environmentPolicy } from "@/server/config/load";
import type { ServiceContext } from "./context";
import { forbidden } from "./errors";

export type EnvVarUse = { path: string; name: string; set: boolean };

export type SettingsView = {
  file: string;
  demo: boolean;
  baseUrl: string;
  services: { id: string; name: string; repository: string | null }[];
  /** CPU, memory and health: the validation stage's extra checks (null where a stage does not judge them). */
  stages: {
    percent: number;
    maxErrorRatePct: number;
    maxLatencyP95Ms: number;
    maxCpuPct: number | null;
    maxMemoryPct: number | null;
    healthStatus: number | null;
    durationMinutes: number;
  }[];
  regions: {
    id: string;
    name: string;
    environment: string;
    order: number;
    providers: { deploy: string; traffic: string; metrics: string };
    reviewers: { functional: number; sre: number; protected: boolean } | null;
    customStages: boolean;
  }[];
  policies: { allowedRefs: string[]; environments: { match: string; functional: number; sre: number; protected: boolean }[] };
  channels: { id: string; kind: "slack" | "teams"; purpose: "incidents" | "deployments"; name: string | null; webhookUrlEnv: string; set: boolean }[];
  envVars: EnvVarUse[];
};

/**
 * The context's config as the settings page shows it; `file` is where it was read from, `env` the environment
 * each `*Env` variable is looked up in (only whether it is set). The actor needs settings.manage.
 */
export function settingsView(ctx: ServiceContext, input: { file: string; env: Env }): SettingsView {
  if (!can(ctx.actor.roles, "settings.manage")) {
    throw forbidden(`Your role (${ctx.actor.roles.join(", ") || "none"}) does not allow settings.manage.`);
  }
  const { config } = ctx;
  const isSet = (name: string) => Boolean(input.env[name]);
  return {
    file: input.file,
    demo: config.demo,
    baseUrl: maskUrl(config.baseUrl),
    services: config.services.map((s) => ({ id: s.id, name: s.name, repository: s.repository ? maskUrl(s.repository) : null })),
    stages: config.stages.map((s) => ({
      percent: s.percent,
      maxErrorRatePct: s.maxErrorRatePct,
      maxLatencyP95Ms: s.maxLatencyP95Ms,
      maxCpuPct: s.maxCpuPct ?? null,
      maxMemoryPct: s.maxMemoryPct ?? null,
      healthStatus: s.healthStatus ?? null,
      durationMinutes: s.durationMinutes,
    })),
    regions: [...config.regions]
      .sort((a, b) => a.order - b.order)
      .map((r) => {
        const rule = environmentPolicy(config, r.environment);
        return {
          id: r.id,
          name: r.name,
          environment: r.environment,
          order: r.order,
          providers: { deploy: r.deploy.provider, traffic: r.traffic.provider, metrics: r.metrics.provider },
          reviewers: rule ? { ...rule.requiredReviewers, protected: rule.protected } : null,
          customStages: Boolean(r.stages),
        };
      }),
    policies: {
      allowedRefs: config.policies.allowedRefs,
      environments: config.policies.environments.map((e) => ({ match: e.match, ...e.requiredReviewers, protected: e.protected })),
    },
    channels: config.notifications.channels.map((c) => ({
      id: c.id,
      kind: c.kind,
      purpose: c.purpose,
      name: c.name ?? null,
      webhookUrlEnv: c.webhookUrlEnv,
      set: isSet(c.webhookUrlEnv),
    })),
    envVars: envVarUses(config).map(({ path, name }) => ({ path, name, set: isSet(name) })),
  };
}

/** Every `*Env` field of the config, with where it is used. */
export function envVarUses(config: unknown): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        const here = at ? `${at}.${key}` : key;
        if (key.endsWith("Env") && typeof v === "string") out.push({ path: here, name: v });
        else walk(v, here);
      }
    }
  };
  walk(config, "");
  return out;
}

function maskUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]+@/, "//***@");
}
