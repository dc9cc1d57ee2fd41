"use client";
/**
 * Start a rollout: service, registered artifact, strategy, regions and delay. Every change asks the server
 * for the plan of these values (the start's own checks, nothing written), so the plan and any problem, each
 * beside its field, are what the start would do. "Start rollout" restates the plan in a confirmation; the
 * start itself checks everything again and its refusal is shown in its own words.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { ArtifactField } from "./artifact-field";
import { FieldProblems, fieldLook } from "./field-problems";
import {
  alreadyLiveIn,
  defaultValues,
  freeRegionIds,
  problemsByField,
  STRATEGY_WORDS,
  toStartInput,
  withRegion,
  withService,
  type NewRolloutValues,
} from "./new-rollout-values";
import { PlanPreviewPanel } from "./plan-preview";
import { RegionsField } from "./regions-field";
import { StartConfirmation } from "./start-confirmation";
import { BreakGlassField } from "./break-glass-field";
import { SchemaOverrideField } from "./schema-override-field";
import { StrategyPolicyField } from "./strategy-policy-field";

/** Typing "120" asks for one plan, not three. */
const PREVIEW_DEBOUNCE_MS = 250;

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** `mayLiftQuarantine`: an sre or admin, offered Lift quarantine beside a quarantined artifact. */
export function NewRolloutForm({ mayLiftQuarantine = false }: { mayLiftQuarantine?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { data: options } = useSuspenseQuery(trpc.rollouts.startOptions.queryOptions());
  const [values, setValues] = useState<NewRolloutValues>(() => defaultValues(options));
  const [startError, setStartError] = useState<string | null>(null);
  const [breakGlass, setBreakGlass] = useState("");
  const [strategyOverride, setStrategyOverride] = useState("");
  const [schemaOverride, setSchemaOverride] = useState("");
  const dialog = useRef<HTMLDialogElement>(null);

  // The schema override reason is part of what the preview judges, so an admin's reason clears its refusal.
  const input = { ...toStartInput(values), ...(schemaOverride.trim() ? { schemaOverrideReason: schemaOverride.trim() } : {}) };
  const asked = useDebounced(input, PREVIEW_DEBOUNCE_MS);
  const preview = useQuery({ ...trpc.rollouts.previewPlan.queryOptions(asked), placeholderData: keepPreviousData, staleTime: 5_000 });
  const current = JSON.stringify(asked) === JSON.stringify(input) && !preview.isPlaceholderData && !preview.isFetching;
  const problems = problemsByField(preview.data?.problems ?? []);
  const plan = preview.data?.plan ?? null;

  const start = useMutation(trpc.rollouts.start.mutationOptions());
  const confirm = () =>
    start.mutate(
      {
        ...input,
        ...(breakGlass.trim() ? { breakGlassReason: breakGlass.trim() } : {}),
        ...(strategyOverride.trim() ? { strategyOverrideReason: strategyOverride.trim() } : {}),
      },
      {
        onSuccess: ({ rolloutId }) => router.push(`/rollouts/${rolloutId}`),
        onError: (err) => {
          dialog.current?.close();
          setStartError(err.message);
          // What refused the start (a region taken meanwhile) shows up beside its field.
          void queryClient.invalidateQueries({ queryKey: trpc.rollouts.previewPlan.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.rollouts.startOptions.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.rollouts.strategyVerdicts.queryKey() });
        },
      },
    );

  const service = options.services.find((s) => s.id === values.serviceId) ?? options.services[0];
  const artifact = service.artifacts.find((a) => a.id === values.artifactId) ?? null;
  const change = (next: NewRolloutValues) => {
    setStartError(null);
    setValues(next);
  };
  const ready = current && plan !== null && artifact !== null && preview.data?.problems.length === 0;
  const blockers = preview.data?.problems.length ?? 0;

  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)] lg:items-start">
      <form
        aria-label="Rollout settings"
        onSubmit={(e) => e.preventDefault()}
        className="flex flex-col gap-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
      >
        <div className="flex flex-col gap-1.5">
          <label htmlFor="new-rollout-service" className="text-sm font-medium text-slate-800">
            Service
          </label>
          <select
            id="new-rollout-service"
            data-testid="new-rollout-service"
            value={values.serviceId}
            onChange={(e) =>
              change(
                withService(
                  values,
                  options.services.find((s) => s.id === e.target.value)!,
                ),
              )
            }
            aria-invalid={problems.serviceId ? true : undefined}
            aria-describedby={problems.serviceId ? "service-problems" : undefined}
            className={fieldLook(Boolean(problems.serviceId))}
          >
            {options.services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.id})
              </option>
            ))}
          </select>
          <FieldProblems id="service-problems" messages={[...(problems.serviceId ?? []), ...(problems.input ?? [])]} />
        </div>

        <ArtifactField
          service={service}
          artifactId={values.artifactId}
          problems={problems.artifactId}
          mayLiftQuarantine={mayLiftQuarantine}
          onChange={(artifactId) => change({ ...values, artifactId })}
        />

        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <div className="flex flex-col gap-1.5">
            <label htmlFor="new-rollout-strategy" className="text-sm font-medium text-slate-800">
              Strategy
            </label>
            <select
              id="new-rollout-strategy"
              data-testid="new-rollout-strategy"
              value={values.strategy}
              onChange={(e) => change({ ...values, strategy: options.strategies.find((s) => s === e.target.value) ?? values.strategy })}
              aria-describedby="strategy-words"
              className={fieldLook(Boolean(problems.strategy))}
            >
              {options.strategies.map((s) => (
                <option key={s} value={s}>
                  {STRATEGY_WORDS[s].label}
                </option>
              ))}
            </select>
            <p id="strategy-words" className="text-xs text-slate-500">
              {STRATEGY_WORDS[values.strategy].description}
            </p>
            <FieldProblems id="strategy-problems" messages={problems.strategy} />
          </div>
          {values.strategy === "delayed" ? (
            <div className="flex flex-col gap-1.5">
              <label htmlFor="new-rollout-delay" className="text-sm font-medium text-slate-800">
                Observation between regions
              </label>
              <div className="flex items-center gap-2">
                <input
                  id="new-rollout-delay"
                  data-testid="new-rollout-delay"
                  type="number"
                  inputMode="numeric"
                  min={options.delay.min}
                  max={options.delay.max}
                  step={1}
                  value={values.delayText}
                  onChange={(e) => change({ ...values, delayText: e.target.value })}
                  aria-invalid={problems.delayMinutes ? true : undefined}
                  aria-describedby={problems.delayMinutes ? "delay-hint delay-problems" : "delay-hint"}
                  className={`${fieldLook(Boolean(problems.delayMinutes))} w-24 tabular-nums`}
                />
                <span className="text-sm text-slate-600">minutes</span>
              </div>
              <p id="delay-hint" className="text-xs text-slate-500">
                {options.delay.min} to {options.delay.max} minutes ({options.delay.max / 60} hours).
              </p>
              <FieldProblems id="delay-problems" messages={problems.delayMinutes} />
            </div>
          ) : null}
        </div>

        <StrategyPolicyField serviceId={service.id} strategy={values.strategy} value={strategyOverride} onChange={setStrategyOverride} />

        <RegionsField
          service={service}
          checked={values.regions}
          alreadyLive={alreadyLiveIn(values, service)}
          version={artifact?.version ?? null}
          problems={problems.regions}
          onToggle={(regionId, checked) => change(withRegion(values, service, regionId, checked))}
          onAll={(all) => change({ ...values, regions: all ? freeRegionIds(service) : [] })}
        />
        <BreakGlassField value={breakGlass} onChange={setBreakGlass} />
        <SchemaOverrideField shown={preview.data?.schemaOverridable ?? false} value={schemaOverride} onChange={setSchemaOverride} />
      </form>

      <div className="lg:sticky lg:top-6">
        <PlanPreviewPanel preview={preview.data} updating={!current && preview.data !== undefined}>
          {startError ? (
            <p role="alert" className="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
              The rollout did not start: {startError}
            </p>
          ) : null}
          {preview.isError ? (
            <p role="alert" className="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
              The plan could not be worked out: {preview.error.message}
            </p>
          ) : null}
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-xs text-slate-500" aria-live="polite">
              {service.artifacts.length === 0
                ? `Register an artifact of ${service.name} first.`
                : blockers > 0
                  ? `Fix ${blockers === 1 ? "the problem" : `the ${blockers} problems`} in the form to start.`
                  : ready
                    ? "Nothing starts until you confirm."
                    : ""}
            </p>
            <button
              type="button"
              data-testid="start-rollout"
              disabled={!ready || start.isPending || start.isSuccess}
              onClick={() => {
                setStartError(null);
                dialog.current?.showModal();
              }}
              className="rounded-md bg-sky-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-sky-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50"
            >
              Start rollout
            </button>
          </div>
        </PlanPreviewPanel>
      </div>

      {plan && artifact ? (
        <StartConfirmation
          ref={dialog}
          serviceName={service.name}
          artifact={artifact}
          plan={plan}
          pending={start.isPending || start.isSuccess}
          onConfirm={confirm}
          onCancel={() => dialog.current?.close()}
        />
      ) : null}
    </div>
  );
}
