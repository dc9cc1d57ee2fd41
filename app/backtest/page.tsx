import type { Metadata } from "next";
import { BacktestForm, type BacktestFormValues } from "@/components/backtest/backtest-form";
import { BacktestReportView } from "@/components/backtest/backtest-report";
import { Forbidden } from "@/components/ui/forbidden";
import { api } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { getConfig } from "@/server/config";
import type { BacktestReport } from "@/server/services/backtest";

export const metadata: Metadata = { title: "Threshold backtest · Flightdeck" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;
const text = (v: string | string[] | undefined) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** Would these thresholds have caught that incident? The question in the URL, the answer rendered here (docs/policies.md#threshold-backtest). */
export default async function BacktestPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { user, allowed, requiredRoles } = await requireUser("read", "/backtest");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  const search = await searchParams;
  const { config } = getConfig();
  const regions = config.regions.map((r) => ({ id: r.id, name: r.name, recorded: r.metrics.provider === "prometheus" }));
  const services = config.services.map((s) => ({ id: s.id, name: s.name }));
  const values: BacktestFormValues = {
    region: text(search.region) ?? regions.find((r) => r.recorded)?.id ?? regions[0]?.id ?? "",
    from: text(search.from) ?? "-7d",
    to: text(search.to) ?? "now",
    colour: text(search.colour),
    service: text(search.service),
    incidentFrom: text(search.incidentFrom),
    incidentTo: text(search.incidentTo),
  };

  let result: { report: BacktestReport } | { error: string } | null = null;
  if (text(search.region) && text(search.from)) {
    try {
      const report = await api.backtest.run({
        regionId: values.region,
        from: values.from,
        to: values.to,
        ...(values.colour === "blue" || values.colour === "green" ? { colour: values.colour } : {}),
        ...(values.service ? { serviceId: values.service } : {}),
        ...(values.incidentFrom ? { incidentFrom: values.incidentFrom } : {}),
        ...(values.incidentTo ? { incidentTo: values.incidentTo } : {}),
      });
      result = { report };
    } catch (err) {
      result = { error: (err as Error).message };
    }
  }

  return (
    <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
      <h1 className="text-2xl font-semibold text-slate-900">Threshold backtest</h1>
      <p className="mt-1 text-sm text-slate-600">
        Replays a region&apos;s stage thresholds and analysis over its recorded Prometheus history, window by window, as the engine would have judged them: when
        each stage would have rolled back or held, how long detection took, and the false alarms. Nothing is changed.
      </p>
      <BacktestForm values={values} regions={regions} services={services} />
      {result && "error" in result ? (
        <p role="alert" className="mt-6 rounded-lg border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900">
          {result.error}
        </p>
      ) : null}
      {result && "report" in result ? <BacktestReportView report={result.report} /> : null}
    </main>
  );
}
