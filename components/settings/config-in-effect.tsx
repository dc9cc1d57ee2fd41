/** The config in effect, read-only. Variables are shown by name with whether they are set, never their value. */
import { formatMinutes } from "@/lib/format";
import type { SettingsView } from "@/server/services/settings-view";

const SECTION = "rounded-xl border border-slate-200 bg-white p-5 shadow-sm";
const H2 = "text-base font-semibold text-slate-900";
const TH = "py-2 pr-4 text-left text-xs font-medium text-slate-500";
const TD = "py-2 pr-4 align-top";

function SetBadge({ set }: { set: boolean }) {
  return set ? (
    <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs text-emerald-800 ring-1 ring-emerald-200">set</span>
  ) : (
    <span className="rounded-full bg-amber-50 px-2 py-0.5 text-xs text-amber-900 ring-1 ring-amber-200">not set</span>
  );
}

export function ConfigInEffect({ view }: { view: SettingsView }) {
  return (
    <div className="grid grid-cols-1 gap-6">
      <section aria-labelledby="cfg-file" className={SECTION}>
        <h2 id="cfg-file" className={H2}>
          File
        </h2>
        <dl className="mt-3 grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">Path</dt>
          <dd className="break-all font-mono text-xs">{view.file}</dd>
          <dt className="text-slate-500">Base URL</dt>
          <dd className="break-all font-mono text-xs">{view.baseUrl}</dd>
          <dt className="text-slate-500">Demo mode</dt>
          <dd>{view.demo ? "on (one-click demo users)" : "off"}</dd>
          <dt className="text-slate-500">Services</dt>
          <dd>{view.services.map((s) => `${s.name} (${s.id})${s.repository ? ` ${s.repository}` : ""}`).join(", ")}</dd>
        </dl>
      </section>

      <section aria-labelledby="cfg-regions" className={`${SECTION} relative overflow-x-auto`}>
        <h2 id="cfg-regions" className={H2}>
          Regions
        </h2>
        <table className="mt-3 min-w-full text-sm">
          <thead>
            <tr>
              <th className={TH}>Order</th>
              <th className={TH}>Region</th>
              <th className={TH}>Environment</th>
              <th className={TH}>Deploy / traffic / metrics</th>
              <th className={TH}>Reviewers</th>
            </tr>
          </thead>
          <tbody>
            {view.regions.map((r) => (
              <tr key={r.id} className="border-t border-slate-100">
                <td className={TD}>{r.order}</td>
                <td className={TD}>
                  {r.name} <span className="font-mono text-xs text-slate-500">{r.id}</span>
                  {r.customStages ? <span className="block text-xs text-slate-500">own stages</span> : null}
                </td>
                <td className={`${TD} font-mono text-xs`}>{r.environment}</td>
                <td className={TD}>
                  {r.providers.deploy} / {r.providers.traffic} / {r.providers.metrics}
                </td>
                <td className={TD}>{r.reviewers ? `${r.reviewers.functional} reviewer + ${r.reviewers.sre} SRE` : "none"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="cfg-stages" className={`${SECTION} relative overflow-x-auto`}>
        <h2 id="cfg-stages" className={H2}>
          Canary stages
        </h2>
        <table className="mt-3 min-w-full text-sm tabular-nums">
          <thead>
            <tr>
              <th className={TH}>Traffic</th>
              <th className={TH}>Max error rate</th>
              <th className={TH}>Max p95</th>
              <th className={TH}>CPU</th>
              <th className={TH}>Memory</th>
              <th className={TH}>Health</th>
              <th className={TH}>Duration</th>
            </tr>
          </thead>
          <tbody>
            {view.stages.map((s) => (
              <tr key={s.percent} className="border-t border-slate-100">
                <td className={TD}>{s.percent} %</td>
                <td className={TD}>{s.maxErrorRatePct} %</td>
                <td className={TD}>{s.maxLatencyP95Ms} ms</td>
                <td className={TD}>{s.maxCpuPct === null ? "not judged" : `below ${s.maxCpuPct} %`}</td>
                <td className={TD}>{s.maxMemoryPct === null ? "not judged" : `below ${s.maxMemoryPct} %`}</td>
                <td className={TD}>{s.healthStatus === null ? "not judged" : `status ${s.healthStatus}`}</td>
                <td className={TD}>{formatMinutes(s.durationMinutes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="cfg-policies" className={SECTION}>
        <h2 id="cfg-policies" className={H2}>
          Policies
        </h2>
        <p className="mt-3 text-sm">
          Allowed refs: <span className="font-mono text-xs">{view.policies.allowedRefs.join(", ")}</span>
        </p>
        <ul className="mt-2 space-y-1 text-sm">
          {view.policies.environments.map((e) => (
            <li key={e.match}>
              <span className="font-mono text-xs">{e.match}</span>: {e.functional} reviewer + {e.sre} SRE{e.protected ? ", protected" : ""}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="cfg-channels" className={`${SECTION} relative overflow-x-auto`}>
        <h2 id="cfg-channels" className={H2}>
          Notification channels
        </h2>
        {view.channels.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600">None configured: add them under notifications.channels.</p>
        ) : (
          <table className="mt-3 min-w-full text-sm">
            <thead>
              <tr>
                <th className={TH}>Channel</th>
                <th className={TH}>Kind</th>
                <th className={TH}>Purpose</th>
                <th className={TH}>Webhook variable</th>
              </tr>
            </thead>
            <tbody>
              {view.channels.map((c) => (
                <tr key={c.id} className="border-t border-slate-100">
                  <td className={TD}>
                    {c.id}
                    {c.name ? <span className="ml-1 text-slate-500">{c.name}</span> : null}
                  </td>
                  <td className={TD}>{c.kind}</td>
                  <td className={TD}>{c.purpose}</td>
                  <td className={TD}>
                    <span className="font-mono text-xs">{c.webhookUrlEnv}</span> <SetBadge set={c.set} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="cfg-env" className={`${SECTION} relative overflow-x-auto`}>
        <h2 id="cfg-env" className={H2}>
          Environment variables
        </h2>
        <p className="mt-1 text-xs text-slate-500">Secrets stay in the environment; only their names are shown here.</p>
        {view.envVars.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600">The config names no environment variable.</p>
        ) : (
          <table className="mt-3 min-w-full text-sm">
            <thead>
              <tr>
                <th className={TH}>Variable</th>
                <th className={TH}>Used at</th>
                <th className={TH}>Status</th>
              </tr>
            </thead>
            <tbody>
              {view.envVars.map((v) => (
                <tr key={v.path} className="border-t border-slate-100">
                  <td className={`${TD} font-mono text-xs`}>{v.name}</td>
                  <td className={`${TD} font-mono text-xs text-slate-500`}>{v.path}</td>
                  <td className={TD}>
                    <SetBadge set={v.set} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
