"use client";
/**
 * Pick one of the service's registered artifacts (newest first), with the facts a release engineer checks
 * before shipping it: digest, commit, branch, when it was registered, where it already runs, and whether it is
 * quarantined (rolled back for a breach somewhere: no rollout of it starts until an sre lifts it). With none
 * registered, say how CI or the CLI registers one: the dashboard never builds or uploads artifacts.
 */
import { useState } from "react";
import { RelativeTime } from "@/components/regions/relative-time";
import { FieldProblems, fieldLook } from "./field-problems";
import { ProvenanceMark } from "./provenance-mark";
import { QuarantineLift } from "./quarantine-lift";
import { listWords, shortDigest, type ServiceOption } from "./new-rollout-values";

type Props = {
  service: ServiceOption;
  artifactId: string | null;
  problems: string[] | undefined;
  /** An sre or admin: Lift quarantine beside a quarantined artifact. */
  mayLiftQuarantine?: boolean;
  onChange: (artifactId: string) => void;
};

export function ArtifactField({ service, artifactId, problems, mayLiftQuarantine = false, onChange }: Props) {
  // What a lift returned, for the artifact it lifted: its quarantine goes away with the next read of the options.
  const [lifted, setLifted] = useState<{ artifactId: string; description: string } | null>(null);
  if (service.artifacts.length === 0) return <NoArtifact service={service} />;
  const chosen = service.artifacts.find((a) => a.id === artifactId) ?? null;
  const regionName = (id: string) => service.regions.find((r) => r.id === id)?.name ?? id;
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor="new-rollout-artifact" className="text-sm font-medium text-slate-800">
        Artifact
      </label>
      <select
        id="new-rollout-artifact"
        data-testid="new-rollout-artifact"
        value={artifactId ?? ""}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problems ? true : undefined}
        aria-describedby={problems ? "artifact-problems" : "artifact-facts"}
        className={fieldLook(Boolean(problems))}
      >
        {chosen ? null : <option value="">Choose an artifact</option>}
        {service.artifacts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.version} · {shortDigest(a.digest)}
            {a.liveIn.length === service.regions.length ? " · live everywhere" : a.liveIn.length > 0 ? ` · live in ${a.liveIn.join(", ")}` : ""}
            {a.quarantine ? " · quarantined" : ""}
          </option>
        ))}
      </select>
      <FieldProblems id="artifact-problems" messages={problems} />
      {chosen ? (
        <dl id="artifact-facts" className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-600">
          <dt className="text-slate-500">Digest</dt>
          <dd className="font-mono break-all text-slate-700">{chosen.digest}</dd>
          {chosen.commitSha ? (
            <>
              <dt className="text-slate-500">Commit</dt>
              <dd className="font-mono">
                {service.repository ? (
                  <a
                    href={`${service.repository}/commit/${chosen.commitSha}`}
                    target="_blank"
                    rel="noreferrer"
                    className="rounded-sm text-sky-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                  >
                    {chosen.commitSha.slice(0, 7)}
                  </a>
                ) : (
                  chosen.commitSha.slice(0, 7)
                )}
                {chosen.sourceRef ? <span className="font-sans text-slate-500"> on {chosen.sourceRef.replace(/^refs\/heads\//, "")}</span> : null}
              </dd>
            </>
          ) : null}
          <dt className="text-slate-500">Provenance</dt>
          <dd>
            <ProvenanceMark provenance={chosen.provenance} />
          </dd>
          <dt className="text-slate-500">Registered</dt>
          <dd>
            <RelativeTime at={chosen.registeredAt} />
          </dd>
          <dt className="text-slate-500">Live</dt>
          <dd>{chosen.liveIn.length > 0 ? `already serving in ${listWords(chosen.liveIn.map(regionName))}` : "not live in any region yet"}</dd>
          {chosen.quarantine ? (
            <>
              <dt className="font-semibold text-red-800">Quarantined</dt>
              <dd data-testid="artifact-quarantine" className="text-red-800">
                {chosen.quarantine.description} An sre or admin lifts it with a reason:{" "}
                <code className="rounded bg-red-50 px-1 font-mono">flightdeck quarantine lift {chosen.quarantine.id} --reason &hellip;</code>
                {mayLiftQuarantine ? (
                  <QuarantineLift
                    quarantineId={chosen.quarantine.id}
                    release={`${service.name} ${chosen.version}`}
                    onLifted={(description) => setLifted({ artifactId: chosen.id, description })}
                  />
                ) : null}
              </dd>
            </>
          ) : lifted?.artifactId === chosen.id ? (
            <>
              <dt className="font-semibold text-emerald-800">Quarantine</dt>
              <dd role="status" data-testid="artifact-quarantine-lifted" className="text-emerald-800">
                Lifted: {lifted.description}
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </div>
  );
}

function NoArtifact({ service }: { service: ServiceOption }) {
  return (
    <div role="status" className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-700">
      <p className="font-medium text-slate-900">No artifact of {service.name} is registered yet</p>
      <p className="mt-1">
        Flightdeck deploys only artifacts CI built once and registered with their digest, so every region gets the same bytes. Register one either way:
      </p>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        <li>
          from CI: the signed webhook <code className="rounded bg-slate-100 px-1 text-xs">POST /api/webhooks/ci</code> (ready-made workflow in{" "}
          <code className="rounded bg-slate-100 px-1 text-xs">docs/ci/multi-region-deployment.yml</code>; see &ldquo;CI: build once, deploy everywhere&rdquo; in
          the README);
        </li>
        <li>
          from a terminal, which registers it and starts a rollout in one step:
          <code className="mt-1 block rounded bg-slate-900 px-2 py-1.5 font-mono text-xs break-words whitespace-pre-wrap text-slate-100">
            npx flightdeck rollout start --service {service.id} --version &lt;v&gt; --digest sha256:&lt;hex&gt; --strategy sequential
          </code>
        </li>
      </ul>
      <p className="mt-2 text-xs text-slate-500">Once it is registered, reload this page to pick it.</p>
    </div>
  );
}
