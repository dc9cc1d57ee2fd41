/**
 * The backtest's question, as a plain GET form: the answer lives in the URL (shareable, back button works) and
 * the page renders it on the server, so the form needs no script. Times are typed as the CLI takes them.
 */
export type BacktestFormValues = {
  region: string;
  from: string;
  to: string;
  colour?: string;
  service?: string;
  incidentFrom?: string;
  incidentTo?: string;
};

const FIELD = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-blue-600";
const LABEL = "text-xs text-slate-600";

export function BacktestForm({
  values,
  regions,
  services,
}: {
  values: BacktestFormValues;
  regions: Array<{ id: string; name: string; recorded: boolean }>;
  services: Array<{ id: string; name: string }>;
}) {
  return (
    <form
      method="get"
      action="/backtest"
      aria-describedby="backtest-times-help"
      className="mt-6 grid grid-cols-1 gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4 lg:items-end"
    >
      <label className={LABEL}>
        Region
        <select name="region" defaultValue={values.region} className={FIELD}>
          {regions.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
              {r.recorded ? "" : " (simulated metrics: no history)"}
            </option>
          ))}
        </select>
      </label>
      <label className={LABEL}>
        Service
        <select name="service" defaultValue={values.service ?? services[0]?.id} className={FIELD}>
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label className={LABEL}>
        Colour judged
        <select name="colour" defaultValue={values.colour ?? ""} className={FIELD}>
          <option value="">The live colour</option>
          <option value="blue">blue</option>
          <option value="green">green</option>
        </select>
      </label>
      <div className="hidden lg:block" />
      <label className={LABEL}>
        From
        <input name="from" required defaultValue={values.from} placeholder="-30d" className={FIELD} />
      </label>
      <label className={LABEL}>
        To
        <input name="to" defaultValue={values.to} placeholder="now" className={FIELD} />
      </label>
      <label className={LABEL}>
        Incident from (optional)
        <input name="incidentFrom" defaultValue={values.incidentFrom ?? ""} placeholder="2026-12-01T14:00Z" className={FIELD} />
      </label>
      <label className={LABEL}>
        Incident to (optional)
        <input name="incidentTo" defaultValue={values.incidentTo ?? ""} placeholder="the end of the period" className={FIELD} />
      </label>
      <p id="backtest-times-help" className="text-xs text-slate-500 sm:col-span-2 lg:col-span-3">
        Times: ISO 8601 (2026-12-01T14:00Z; no zone is UTC) or relative to now (-30d, -6h, -90m, now). With an incident, breaches outside it count as false
        alarms and detection is timed from its start.
      </p>
      <button
        type="submit"
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
      >
        Replay
      </button>
    </form>
  );
}
