"use client";
/**
 * The demo fleet's fault drill on a region page: make the new colour misbehave at one canary stage, start a
 * rollout, and watch the engine roll it back and name the cause. The server decides again who may and where.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { RelativeTime } from "./relative-time";

const FIELD =
  "w-full min-w-0 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600";
const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50";

/** The spec's example incident: error rate 1.2 % and p95 420 ms at the 25 % stage. */
const EXAMPLE = { stagePercent: 25, errorRatePct: "1.2", latencyP95Ms: "420" };

const number = (text: string) => (text.trim() === "" ? null : Number(text));

export function FaultDrill({ regionId, mayInject }: { regionId: string; mayInject: boolean }) {
  const trpc = useTRPC();
  const drill = useQuery(trpc.demo.faults.queryOptions({ regionId }));
  const [form, setForm] = useState(EXAMPLE);
  const refetch = () => void drill.refetch();
  const inject = useMutation(trpc.demo.injectFault.mutationOptions({ onSuccess: refetch }));
  const clear = useMutation(trpc.demo.clearFaults.mutationOptions({ onSuccess: refetch }));
  if (!drill.data?.available) return null;
  const { faults, stagePercents } = drill.data;
  const error = inject.error ?? clear.error;
  const busy = inject.isPending || clear.isPending;

  return (
    <section aria-labelledby="fault-drill" className="mt-6 rounded-xl border border-amber-200 bg-amber-50/40 p-5">
      <h2 id="fault-drill" className="text-lg font-semibold text-slate-900">
        Fault drill <span className="text-sm font-normal text-slate-500">(demo fleet)</span>
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        The new colour of every release here shows these values at that canary stage until they are cleared: start a rollout and watch the engine roll it back
        and name the cause.
      </p>
      {faults.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">No fault injected: releases here behave.</p>
      ) : (
        <ul aria-label="Injected faults" className="mt-3 flex flex-col gap-1 text-sm text-slate-800" data-testid="injected-faults">
          {faults.map((f) => (
            <li key={f.id}>
              At {f.stagePercent} %:{" "}
              {[f.errorRatePct !== null ? `error rate ${f.errorRatePct} %` : null, f.latencyP95Ms !== null ? `p95 ${f.latencyP95Ms} ms` : null]
                .filter(Boolean)
                .join(", ")}
              <span className="text-slate-500">
                {" "}
                · by <span title={f.createdBy}>{f.createdByName}</span> <RelativeTime at={f.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
      {mayInject ? (
        <form
          className="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-[repeat(3,minmax(0,10rem))_auto] sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            inject.mutate({ regionId, stagePercent: form.stagePercent, errorRatePct: number(form.errorRatePct), latencyP95Ms: number(form.latencyP95Ms) });
          }}
        >
          <label className="flex flex-col gap-1 text-xs text-slate-600">
            Stage
            <select
              data-testid="fault-stage"
              className={FIELD}
              value={form.stagePercent}
              onChange={(e) => setForm({ ...form, stagePercent: Number(e.target.value) })}
            >
              {stagePercents.map((p) => (
                <option key={p} value={p}>
                  {p} %
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1 text-xs text-slate-600">
            Error rate (%)
            <input
              data-testid="fault-error-rate"
              inputMode="decimal"
              className={FIELD}
              value={form.errorRatePct}
              onChange={(e) => setForm({ ...form, errorRatePct: e.target.value })}
            />
          </label>
          <label className="flex flex-col gap-1 text-xs text-slate-600">
            p95 latency (ms)
            <input
              data-testid="fault-p95"
              inputMode="decimal"
              className={FIELD}
              value={form.latencyP95Ms}
              onChange={(e) => setForm({ ...form, latencyP95Ms: e.target.value })}
            />
          </label>
          <div className="flex flex-wrap gap-2">
            <button type="submit" data-testid="inject-fault" disabled={busy} className={`${BUTTON} bg-amber-600 text-white ring-amber-700 hover:bg-amber-700`}>
              Inject fault
            </button>
            {faults.length > 0 ? (
              <button
                type="button"
                data-testid="clear-faults"
                disabled={busy}
                onClick={() => clear.mutate({ regionId })}
                className={`${BUTTON} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`}
              >
                Clear faults
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
      {error ? (
        <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error.message}
        </p>
      ) : null}
    </section>
  );
}
