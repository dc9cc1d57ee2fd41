/**
 * The fleet config file, checked with zod. Every number has a range and every error names what was expected
 * and what was found, so `formatConfigIssues` can print `regions[1].stages[2].maxErrorRatePct: expected a
 * number from 0 to 100, got "abc"`. Secrets are never in this file: fields ending in `Env` name the
 * environment variable that holds the value.
 */
import { z } from "zod";
import { trustedProxyProblem } from "@/server/security/client-address";
import { EscalationConfig } from "./escalation-config";
import { FreezesConfig } from "./freeze-config";

export { FreezeConfig } from "./freeze-config";

const describe = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));

// Every zod message in the words of this file: what was expected, what was found.
z.config({
  customError: (iss) => {
    if (iss.code === "invalid_type") return `expected ${iss.expected === "array" ? "a list" : iss.expected}, got ${describe(iss.input)}`;
    if (iss.code === "invalid_value") return `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(iss.input)}`;
    return undefined;
  },
});

/** A number in [min, max] whose every failure reads "expected a number from min to max, got X". */
export function boundedNumber(min: number, max: number, opts: { int?: boolean } = {}) {
  const kind = opts.int ? "a whole number" : "a number";
  const message = (iss: { input?: unknown }) => `expected ${kind} from ${min} to ${max}, got ${describe(iss.input)}`;
  const base = opts.int ? z.int({ error: message }) : z.number({ error: message });
  return base.min(min, { error: message }).max(max, { error: message });
}

const id = z
  .string({ error: (iss) => `expected an id (lowercase letters, digits and dashes), got ${describe(iss.input)}` })
  .regex(/^[a-z][a-z0-9-]{0,62}$/, { error: (iss) => `expected an id (lowercase letters, digits and dashes), got ${describe(iss.input)}` });

/** The name of an environment variable that holds a secret or a per-deployment value. */
export const envName = z.string({ error: (iss) => `expected an environment variable name, got ${describe(iss.input)}` }).regex(/^[A-Z_][A-Z0-9_]*$/, {
  error: (iss) => `expected an environment variable name such as SLACK_WEBHOOK_URL, got ${describe(iss.input)}`,
});

const text = z.string({ error: (iss) => `expected text, got ${describe(iss.input)}` }).min(1, { error: "must not be empty" });

/** A URL template; `{region}`, `{service}`, `{rolloutId}`, `{correlationId}`, `{from}`, `{to}` are filled in. */
const urlTemplate = text.regex(/^https?:\/\//, { error: (iss) => `expected an http(s) URL template, got ${describe(iss.input)}` });

export const StageConfig = z.strictObject({
  percent: boundedNumber(1, 100, { int: true }),
  maxErrorRatePct: boundedNumber(0, 100),
  maxLatencyP95Ms: boundedNumber(1, 600_000),
  durationMinutes: boundedNumber(0.01, 24 * 60),
  /** Extra checks of the validation stage at 100 % (the spec: CPU < 70 %, memory < 70 %, health 200). */
  maxCpuPct: boundedNumber(0, 100).optional(),
  maxMemoryPct: boundedNumber(0, 100).optional(),
  healthStatus: boundedNumber(100, 599, { int: true }).optional(),
});
export type StageConfig = z.infer<typeof StageConfig>;

/** The spec's canary table: thresholds are "at most"; 5 minutes each, 30 minutes of validation at 100 %. */
export const DEFAULT_STAGES: StageConfig[] = [
  { percent: 10, maxErrorRatePct: 1.0, maxLatencyP95Ms: 500, durationMinutes: 5 },
  { percent: 25, maxErrorRatePct: 0.8, maxLatencyP95Ms: 450, durationMinutes: 5 },
  { percent: 50, maxErrorRatePct: 0.5, maxLatencyP95Ms: 400, durationMinutes: 5 },
  { percent: 75, maxErrorRatePct: 0.3, maxLatencyP95Ms: 350, durationMinutes: 5 },
  { percent: 100, maxErrorRatePct: 0.2, maxLatencyP95Ms: 300, durationMinutes: 30, maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 },
];

const stages = z
  .array(StageConfig, { error: (iss) => `expected a list of stages, got ${describe(iss.input)}` })
  .min(1, { error: "expected at least one stage" })
  .superRefine((list, ctx) => {
    list.forEach((stage, i) => {
      if (i > 0 && stage.percent <= list[i - 1].percent) {
        ctx.addIssue({
          code: "custom",
          path: [i, "percent"],
          message: `expected more than the previous stage's ${list[i - 1].percent} %, got ${stage.percent}`,
        });
      }
    });
    const last = list[list.length - 1];
    if (last && last.percent !== 100) {
      ctx.addIssue({ code: "custom", path: [list.length - 1, "percent"], message: `the last stage must send 100 % to the new colour, got ${last.percent}` });
    }
  });

export const AnalysisConfig = z.strictObject({
  /** Seconds between two samples of the new colour. */
  intervalSeconds: boundedNumber(0.05, 3600).default(30),
  /** Breaches that roll the region back; 1 = on the first breach, as the spec says. */
  failureLimit: boundedNumber(1, 100, { int: true }).default(1),
  /** Inconclusive samples in a row (too little traffic, no data) after which the stage pauses and alerts. */
  inconclusiveLimit: boundedNumber(1, 1000, { int: true }).default(3),
  /**
   * A window with fewer requests than this has its p95 latency left unjudged (inconclusive) and its observed
   * error rate judged only through its confidence bounds: a clear breach (4 errors in 5) is never hidden.
   */
  minRequests: boundedNumber(0, 1e9, { int: true }).default(20),
  /** Share of a stage's expected samples (duration / interval) that must be judged, pass or breach, for it to pass. */
  minJudgedFraction: boundedNumber(0, 1).default(0.8),
  /** How long a stage not judged enough may run on, one interval at a time, as a multiple of its duration; then it pauses and alerts. */
  maxExtensionFactor: boundedNumber(0, 10).default(1),
  /** One-sided confidence of the error-rate bounds and of the tests against the baseline. */
  confidence: boundedNumber(0.5, 0.9999).default(0.95),
  /**
   * When the error rate passes: `bound`, once the stage's upper confidence bound is at or below the limit (0
   * errors need about 300 requests for a 1 % limit, 1,500 for 0.2 %); `observed`, also when the stage's observed
   * rate is within the limit over at least `minRequests` requests (the rule before the bounds, for a lab or demo
   * fleet whose traffic cannot bound a small rate). Breaches are judged the same either way.
   */
  errorRatePass: z.enum(["bound", "observed"], { error: (iss) => `expected "bound" or "observed", got ${describe(iss.input)}` }).default("bound"),
  /** Also judge the new colour against the old one (when the old colour has traffic): significantly worse fails. */
  compareToBaseline: z.boolean().default(true),
  /** Percentage points the new colour's error rate may exceed the old colour's before a significant excess fails it. */
  maxErrorRateIncreasePct: boundedNumber(0, 100).default(0.5),
  /** Percent the new colour's p95 latency may exceed the old colour's before a significant excess fails it. */
  maxLatencyIncreasePct: boundedNumber(0, 1000).default(20),
});
/** Every analysis default, for the fleet's `analysis` when the file has none. */
export const DEFAULT_ANALYSIS: AnalysisConfig = AnalysisConfig.parse({});
/**
 * A region's analysis: the same fields without their defaults, so a region that sets one field keeps the
 * fleet's others (`.partial()` would fill every absent field with its default and override the fleet's).
 */
const AnalysisOverride = z.strictObject(
  Object.fromEntries(Object.entries(AnalysisConfig.shape).map(([key, field]) => [key, field.unwrap().optional()])) as {
    [K in keyof typeof AnalysisConfig.shape]: z.ZodOptional<ReturnType<(typeof AnalysisConfig.shape)[K]["unwrap"]>>;
  },
);
export type AnalysisConfig = z.infer<typeof AnalysisConfig>;

/** An SSH host key fingerprint as `ssh-keygen -lf` prints it. */
const hostKeyFingerprint = z
  .string({ error: (iss) => `expected a host key fingerprint such as SHA256:Jq0v...wLs (from ssh-keygen -lf), got ${describe(iss.input)}` })
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, {
    error: (iss) => `expected a host key fingerprint such as SHA256:Jq0v...wLs (from ssh-keygen -lf), got ${describe(iss.input)}`,
  });

/** How Flightdeck logs in to a load balancer host over SSH (defaults to the region's ssh deploy settings). */
const SshAccess = z.strictObject({
  userEnv: envName.default("DROPLET_USER"),
  privateKeyEnv: envName.optional(),
  privateKeyPath: text.optional(),
  hostKeySha256: hostKeyFingerprint.optional(),
  port: boundedNumber(1, 65535, { int: true }).default(22),
  timeoutSeconds: boundedNumber(1, 600).default(15),
});

const HostTarget = z.strictObject({
  /** The host (or the variable naming it, such as DROPLET_IP_GREEN). One of the two. */
  host: text.optional(),
  hostEnv: envName.optional(),
  port: boundedNumber(1, 65535, { int: true }).optional(),
  /** Server name or address in the load balancer's backend for this colour. */
  server: text.optional(),
  /** This host's SSH key fingerprint, when it differs from `deploy.hostKeySha256`. */
  hostKeySha256: hostKeyFingerprint.optional(),
});

const SimulatedFault = z.strictObject({
  stagePercent: boundedNumber(1, 100, { int: true }),
  errorRatePct: boundedNumber(0, 100).optional(),
  latencyP95Ms: boundedNumber(0, 600_000).optional(),
  cpuPct: boundedNumber(0, 100).optional(),
  memoryPct: boundedNumber(0, 100).optional(),
  healthStatus: boundedNumber(0, 599, { int: true }).optional(),
  /** Requests the new colour serves per sample (0: no request data). */
  requests: boundedNumber(0, 1e9, { int: true }).optional(),
  /** The first `k` of every `n` samples of the new colour have no data. */
  noData: z
    .strictObject({ k: boundedNumber(1, 1000, { int: true }), n: boundedNumber(1, 1000, { int: true }) })
    .refine((v) => v.k <= v.n, { error: "expected k ≤ n: k of every n samples have no data" })
    .optional(),
  /** The old colour's error rate and p95 at that stage. */
  baselineErrorRatePct: boundedNumber(0, 100).optional(),
  baselineLatencyP95Ms: boundedNumber(0, 600_000).optional(),
});

const Simulated = z.strictObject({ provider: z.literal("simulated") });

const DeployConfig = z.discriminatedUnion(
  "provider",
  [
    z.strictObject({
      provider: z.literal("simulated"),
      /** Simulated seconds a deploy takes. */
      seconds: boundedNumber(0, 3600).default(20),
    }),
    z.strictObject({
      provider: z.literal("ssh"),
      userEnv: envName.default("DROPLET_USER"),
      privateKeyEnv: envName.optional(),
      privateKeyPath: text.optional(),
      hostKeySha256: hostKeyFingerprint.optional(),
      port: boundedNumber(1, 65535, { int: true }).default(22),
      /** Releases go to `<installDir>/<colour>/releases/<version>`, or `<installDir>/releases/...` when it holds `{colour}`. */
      installDir: text.default("/opt/flightdeck"),
      /** Run on the host after the install; `{colour}`, `{host}`, `{port}`, `{version}` and `{releaseDir}` are filled in. */
      restartCommand: text,
      /** Checked on the host (curl or wget) after the restart; same placeholders as `restartCommand`. */
      healthUrl: text.optional(),
      timeoutSeconds: boundedNumber(1, 3600).default(120),
      /** `fetch`: the host downloads the artifact's URL; `upload`: Flightdeck downloads it and uploads it over SFTP. */
      artifactTransfer: z.enum(["fetch", "upload"]).default("fetch"),
    }),
  ],
  { error: (iss) => `expected provider "simulated" or "ssh", got ${describe((iss.input as { provider?: unknown })?.provider)}` },
);

const TrafficConfig = z.discriminatedUnion(
  "provider",
  [
    Simulated,
    z.strictObject({
      provider: z.literal("haproxy"),
      backend: text,
      /** Runtime API address: a unix socket path, host:port, or `ssh` to run it on LB_IP. */
      socket: text.optional(),
      socketEnv: envName.optional(),
      lbHostEnv: envName.default("LB_IP"),
      /** Over SSH: the stats socket on the load balancer host (a path, or host:port there). */
      remoteSocket: text.default("/run/haproxy/admin.sock"),
      ssh: SshAccess.optional(),
      timeoutSeconds: boundedNumber(0.1, 600).default(5),
    }),
    z.strictObject({
      provider: z.literal("nginx"),
      upstreamFile: text,
      upstream: text,
      lbHostEnv: envName.default("LB_IP"),
      nginxCommand: text.default("nginx"),
      ssh: SshAccess.optional(),
    }),
    z.strictObject({
      provider: z.literal("cloudflare"),
      mode: z.enum(["load-balancer", "dns"]).default("dns"),
      zoneIdEnv: envName.default("CF_ZONE_ID"),
      apiTokenEnv: envName.default("CF_API_TOKEN"),
      recordIdEnv: envName.default("CF_RECORD_ID_API"),
      apiBaseUrl: urlTemplate.default("https://api.cloudflare.com/client/v4"),
      poolIds: z.strictObject({ blue: text, green: text }).optional(),
      loadBalancerId: text.optional(),
    }),
  ],
  { error: (iss) => `expected provider "simulated", "haproxy", "nginx" or "cloudflare", got ${describe((iss.input as { provider?: unknown })?.provider)}` },
);

/**
 * A fast source of request and error counts read between two regular samples, from the load balancer itself
 * (`haproxy-stats`: HAProxy's `show stat`). It can only add a breach; the regular source stays the record.
 * Backend, servers and runtime API address default to the region's HAProxy traffic settings.
 */
const FastMetricsConfig = z.strictObject({
  provider: z.literal("haproxy-stats", { error: (iss) => `expected provider "haproxy-stats", got ${describe(iss.input)}` }),
  /** How often the counters are read, ms. */
  intervalMs: boundedNumber(100, 60_000, { int: true }).default(500),
  backend: text.optional(),
  /** Runtime API address: a unix socket path or host:port (default: the region's `traffic.socket`). */
  socket: text.optional(),
  socketEnv: envName.optional(),
  timeoutSeconds: boundedNumber(0.1, 60).default(2),
});

const MetricsConfig = z.discriminatedUnion(
  "provider",
  [
    z.strictObject({
      provider: z.literal("simulated"),
      seed: z.int().optional(),
      faults: z.array(SimulatedFault).default([]),
    }),
    z.strictObject({
      provider: z.literal("prometheus"),
      url: urlTemplate.optional(),
      urlEnv: envName.optional(),
      /**
       * PromQL templates; `{colour}`, `{region}`, `{service}` and `{window}` (the sample window as a PromQL
       * duration such as `45s`) are filled in. Each must return one number; `health` returns 1 (up) or 0.
       */
      queries: z
        .strictObject({
          errorRatePct: text.optional(),
          latencyP95Ms: text.optional(),
          cpuPct: text.optional(),
          memoryPct: text.optional(),
          requests: text.optional(),
          health: text.optional(),
        })
        .default({}),
      /** Probed from Flightdeck for the health status instead of the `health` query; `{host}`, `{port}`, `{colour}`, `{region}`. */
      healthUrl: urlTemplate.optional(),
      timeoutSeconds: boundedNumber(0.1, 600).default(10),
      /**
       * The shortest `{window}`: a shorter sample window looks back this far instead (still ending at the
       * sample's time), so `increase()` and `rate()` see at least two scrapes. At least twice the scrape
       * interval when the analysis interval is shorter than that; 0 keeps every window as it is.
       */
      minWindowSeconds: boundedNumber(0, 3600).default(0),
      /** Error counts from the load balancer between two samples (`{ provider: haproxy-stats, intervalMs: 500 }`). */
      fast: FastMetricsConfig.optional(),
    }),
  ],
  { error: (iss) => `expected provider "simulated" or "prometheus", got ${describe((iss.input as { provider?: unknown })?.provider)}` },
);

export const RegionConfig = z.strictObject({
  id,
  name: text,
  environment: id,
  order: boundedNumber(0, 1000, { int: true }),
  targets: z.strictObject({ blue: HostTarget, green: HostTarget }),
  // Defaults for configs built in code (tests, the bench); a config file must name each provider, and simulated
  // ones only with demo: true (`modeProblems` in readiness.ts, run by parseConfig).
  deploy: DeployConfig.default({ provider: "simulated", seconds: 20 }),
  traffic: TrafficConfig.default({ provider: "simulated" }),
  metrics: MetricsConfig.default({ provider: "simulated", faults: [] }),
  links: z.strictObject({ dashboard: urlTemplate.optional(), logs: urlTemplate.optional() }).default({}),
  /** Overrides of the fleet's stages and analysis for this region. */
  stages: stages.optional(),
  analysis: AnalysisOverride.optional(),
});
export type RegionConfig = z.infer<typeof RegionConfig>;

/** The spec's migration path: parallel opens after 5 clean delayed rollouts and a rollback drill within 30 days. */
export const DEFAULT_STRATEGY_POLICY = { cleanDelayedRollouts: 5, drillWithinDays: 30 } as const;

/**
 * When `parallel` opens for a service (docs/policies.md#migration-path): after `cleanDelayedRollouts` consecutive
 * delayed rollouts that succeeded in every region and a rollback drill within `drillWithinDays`; "off": always open.
 */
export const StrategyPolicyConfig = z.union(
  [
    z.literal("off"),
    z.strictObject({
      cleanDelayedRollouts: boundedNumber(1, 100, { int: true }).default(DEFAULT_STRATEGY_POLICY.cleanDelayedRollouts),
      drillWithinDays: boundedNumber(1, 365, { int: true }).default(DEFAULT_STRATEGY_POLICY.drillWithinDays),
    }),
  ],
  {
    error: (iss) =>
      `expected "off" or { cleanDelayedRollouts, drillWithinDays } (default ${DEFAULT_STRATEGY_POLICY.cleanDelayedRollouts} and ${DEFAULT_STRATEGY_POLICY.drillWithinDays}), got ${describe(iss.input)}`,
  },
);
export type StrategyPolicyConfig = z.infer<typeof StrategyPolicyConfig>;

export const ServiceConfig = z.strictObject({
  id,
  name: text,
  /** Where a commit can be shown, e.g. https://github.com/acme/api (commit links append /commit/<sha>). */
  repository: urlTemplate.optional(),
  /** The migration path to parallel (docs/policies.md#migration-path); the spec's path unless "off". */
  strategyPolicy: StrategyPolicyConfig.default(DEFAULT_STRATEGY_POLICY),
});

const ReviewerRule = z.strictObject({
  functional: boundedNumber(0, 10, { int: true }).default(1),
  sre: boundedNumber(0, 10, { int: true }).default(1),
});

/** The rule of every environment no rule matches: protected, 1 functional + 1 SRE reviewer (fail closed). */
export const DEFAULT_ENVIRONMENT_RULE = { match: "*", requiredReviewers: { functional: 1, sre: 1 }, protected: true, preApproval: false } as const;

/**
 * One environment rule. `protected: false` opts an environment out of the gate and the allowed refs; reviewers
 * default to 1 + 1 on a protected environment and to none on an unprotected one, unless written out.
 * `preApproval: true` lets reviewers approve this environment's gates of a running rollout before its regions
 * reach them (each approval is recorded on its gate, which still opens only when its region gets there).
 */
const EnvironmentRule = z
  .strictObject({
    match: text,
    requiredReviewers: ReviewerRule.optional(),
    protected: z.boolean().default(true),
    preApproval: z.boolean().default(false),
  })
  .transform((rule) => ({ ...rule, requiredReviewers: rule.requiredReviewers ?? (rule.protected ? { functional: 1, sre: 1 } : { functional: 0, sre: 0 }) }));
export type EnvironmentRule = z.infer<typeof EnvironmentRule>;

export const PoliciesConfig = z.strictObject({
  /** Git refs a rollout to a protected environment may come from; `*` matches the rest of a path segment. */
  allowedRefs: z.array(text).default(["refs/heads/main", "refs/heads/release/*"]),
  /** Environments matched by name or by a `*` pattern; the first match wins; one no rule matches is protected. */
  environments: z.array(EnvironmentRule).default([{ ...DEFAULT_ENVIRONMENT_RULE, requiredReviewers: { functional: 1, sre: 1 } }]),
});

const Channel = z.strictObject({
  id,
  kind: z.enum(["slack", "teams"]),
  /** Which cards go there: incidents (failures) or deployments (starts, successes, summaries). */
  purpose: z.enum(["incidents", "deployments"]),
  webhookUrlEnv: envName,
  /** Shown on cards, e.g. #incidents-deployments. */
  name: text.optional(),
});

/** Who may sign in through GitHub or OIDC (local accounts are created by an admin and need no list). */
export const AuthConfig = z.strictObject({
  allow: z
    .strictObject({
      /** GitHub organisations whose active members may sign in (needs the read:org scope, asked for at sign-in). */
      githubOrgs: z.array(text).default([]),
      /** GitHub teams as `org/team-slug` whose members may sign in. */
      githubTeams: z
        .array(text.regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/, { error: (iss) => `expected org/team-slug, got ${JSON.stringify(iss.input)}` }))
        .default([]),
      /** Email domains (verified addresses only) whose users may sign in, e.g. acme.com. */
      emailDomains: z
        .array(text.regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, { error: (iss) => `expected a domain such as acme.com, got ${JSON.stringify(iss.input)}` }))
        .default([]),
    })
    .default({ githubOrgs: [], githubTeams: [], emailDomains: [] }),
  /** Whom a refused person should ask, shown on the refusal page, e.g. "the platform team in #platform-help". */
  contact: text.optional(),
});
export type AuthConfig = z.infer<typeof AuthConfig>;

export const FleetConfig = z
  .strictObject({
    /** Demo mode: seeded demo users can sign in with one click. Never on for a real fleet. */
    demo: z.boolean().default(false),
    /** Public URL of the dashboard (links on cards, sign-in); must be https for a real fleet (docs/security.md). */
    baseUrl: urlTemplate.default("http://localhost:3000"),
    /** Lets a real fleet run on a plain-http baseUrl (a lab or a closed network); start-up and doctor still warn. */
    allowInsecureHttp: z.boolean().default(false),
    services: z.array(ServiceConfig).min(1, { error: "expected at least one service" }),
    stages: stages.default(DEFAULT_STAGES),
    analysis: AnalysisConfig.default(DEFAULT_ANALYSIS),
    regions: z.array(RegionConfig).min(1, { error: "expected at least one region" }),
    /** Freeze windows (docs/policies.md): no rollout starts, and running ones hold before their next traffic increase. */
    freezes: FreezesConfig.default([]),
    policies: PoliciesConfig.default({
      allowedRefs: ["refs/heads/main", "refs/heads/release/*"],
      environments: [{ ...DEFAULT_ENVIRONMENT_RULE, requiredReviewers: { functional: 1, sre: 1 } }],
    }),
    notifications: z
      .strictObject({
        channels: z.array(Channel).default([]),
        debuggingGuideUrl: urlTemplate.optional(),
      })
      .default({ channels: [] }),
    /** The spec's support path for incidents: mention the on-call, then a P1 ticket, then a page (docs/notifications.md#escalation). */
    escalation: EscalationConfig.optional(),
    /** OAuth sign-in allow list; with GitHub or OIDC configured and no list, nobody may sign in through them. */
    auth: AuthConfig.default({ allow: { githubOrgs: [], githubTeams: [], emailDomains: [] } }),
    /** Proxies (IPs or CIDRs) whose X-Forwarded-For is believed; from anyone else only the connection's address counts. */
    trustedProxies: z
      .array(
        z.string({ error: (iss) => `expected an IP address or CIDR, got ${describe(iss.input)}` }).superRefine((entry, ctx) => {
          const problem = trustedProxyProblem(entry);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
      )
      .default([]),
    /** Which artifact URLs a rollout accepts (dashboard, REST, webhook, CLI): https, or http only to these hosts. */
    artifacts: z
      .strictObject({
        /** Hosts an artifact may be fetched from over plain http (a lab, a closed network), e.g. 127.0.0.1. */
        allowHttpHosts: z.array(text).default([]),
        /** When given, an artifact URL must start with one of these, e.g. https://artifacts.acme.com/. */
        allowedUrlPrefixes: z.array(text).default([]),
      })
      .default({ allowHttpHosts: [], allowedUrlPrefixes: [] }),
    /** How the server itself downloads an artifact (upload-mode deploys): size cap, addresses, redirects. */
    artifactFetch: z
      .strictObject({
        /** Refuse a larger artifact (by Content-Length and by the bytes streamed); default 2 GiB. */
        maxBytes: boundedNumber(1, 1024 ** 4, { int: true }).default(2 * 1024 ** 3),
        /**
         * Loopback, link-local and private addresses: refused by default (a deployer's URL must not reach the
         * server's own network or the cloud metadata service); `true` allows them all, a list of IPs or CIDRs only those.
         */
        allowPrivateAddresses: z
          .union([
            z.boolean(),
            z.array(
              z.string().superRefine((entry, ctx) => {
                const problem = trustedProxyProblem(entry);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
              }),
            ),
          ])
          .default(false),
        /** Hosts a redirect may lead to besides the URL's own host (e.g. a CDN). */
        redirectHosts: z.array(text).default([]),
      })
      .default({ maxBytes: 2 * 1024 ** 3, allowPrivateAddresses: false, redirectHosts: [] }),
    observability: z
      .strictObject({
        pushgatewayUrlEnv: envName.optional(),
        /** When set, /api/metrics answers only `Authorization: Bearer <the value of this variable>`. */
        metricsBearerTokenEnv: envName.optional(),
        grafana: z.strictObject({ url: urlTemplate, apiKeyEnv: envName.default("GRAFANA_API_KEY") }).optional(),
      })
      .default({}),
  })
  .superRefine((cfg, ctx) => {
    const unique = (key: "services" | "regions", field: "id" | "order") => {
      const seen = new Map<unknown, number>();
      (cfg[key] as Array<Record<string, unknown>>).forEach((item, i) => {
        const value = item[field];
        const first = seen.get(value);
        if (first !== undefined)
          ctx.addIssue({ code: "custom", path: [key, i, field], message: `duplicate ${field} ${JSON.stringify(value)}, already used by ${key}[${first}]` });
        else seen.set(value, i);
      });
    };
    unique("services", "id");
    unique("regions", "id");
    unique("regions", "order");
    const channels = new Map<string, number>();
    cfg.notifications.channels.forEach((c, i) => {
      const first = channels.get(c.id);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["notifications", "channels", i, "id"],
          message: `duplicate id ${JSON.stringify(c.id)}, already used by notifications.channels[${first}]`,
        });
      else channels.set(c.id, i);
    });
    cfg.regions.forEach((region, i) => {
      for (const colour of ["blue", "green"] as const) {
        const t = region.targets[colour];
        if (!t.host && !t.hostEnv) {
          ctx.addIssue({
            code: "custom",
            path: ["regions", i, "targets", colour],
            message: "expected host or hostEnv (e.g. DROPLET_IP_" + colour.toUpperCase() + ")",
          });
        }
      }
      if (region.metrics.provider === "prometheus" && !region.metrics.url && !region.metrics.urlEnv) {
        ctx.addIssue({ code: "custom", path: ["regions", i, "metrics"], message: "expected url or urlEnv: where Prometheus answers" });
      }
      const fast = region.metrics.provider === "prometheus" ? region.metrics.fast : undefined;
      if (fast && region.traffic.provider !== "haproxy" && (!fast.backend || (!fast.socket && !fast.socketEnv))) {
        ctx.addIssue({
          code: "custom",
          path: ["regions", i, "metrics", "fast"],
          message: "expected backend and socket (or socketEnv): the traffic provider is not haproxy, so there are none to borrow",
        });
      }
      if (region.deploy.provider === "ssh" && !region.deploy.privateKeyEnv && !region.deploy.privateKeyPath) {
        ctx.addIssue({ code: "custom", path: ["regions", i, "deploy"], message: "expected privateKeyEnv or privateKeyPath: the SSH key to log in with" });
      }
    });
  });

export type FleetConfig = z.infer<typeof FleetConfig>;
export type FleetConfigInput = z.input<typeof FleetConfig>;
