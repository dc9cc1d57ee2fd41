/**
 * `flightdeck quarantine list [--service <id>] [--all]`: the releases quarantined after a breach rollback and why;
 * `flightdeck quarantine lift <id> --reason <text>`: an sre's or admin's rollback token lifts one, so the release
 * may be started again. Over the REST API (`/api/v1/quarantines`).
 */
import { parseArgs } from "node:util";
import type { QuarantineView } from "@/server/services/quarantines";
import { apiClientFromEnv, type ApiClient } from "./api-client";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const OPTIONS = { reason: { type: "string" }, service: { type: "string" }, all: { type: "boolean" }, json: { type: "boolean" } } as const;

export async function runQuarantine(argv: string[], io: CliIo, client?: ApiClient): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const print = (data: unknown, lines: () => string[]) => (values.json ? io.out(JSON.stringify(data, null, 2)) : lines().forEach((l) => io.out(l)));
  if (sub !== "list" && sub !== "lift") throw new ArgumentError(`unknown quarantine command ${JSON.stringify(sub ?? "")}; use list or lift`);
  if (sub === "lift" && (positionals.length !== 1 || !values.reason))
    throw new ArgumentError(
      'quarantine lift needs the quarantine id and --reason <text>, e.g. flightdeck quarantine lift <id> --reason "metrics fault, not the release"',
    );
  if (sub === "list" && (positionals.length > 0 || values.reason !== undefined))
    throw new ArgumentError("quarantine list takes only --service, --all and --json");
  const api = client ?? apiClientFromEnv(io.env);

  if (sub === "lift") {
    const lifted = await api.delete<QuarantineView>(`/api/v1/quarantines/${encodeURIComponent(positionals[0])}`, { reason: values.reason });
    print(lifted, () => [`Quarantine lifted: ${lifted.serviceId} ${lifted.version} may be started again ("${lifted.liftReason}").`]);
    return 0;
  }
  const query = new URLSearchParams({ ...(values.service ? { serviceId: values.service } : {}), ...(values.all ? { all: "true" } : {}) }).toString();
  const { quarantines } = await api.get<{ quarantines: QuarantineView[] }>(`/api/v1/quarantines${query ? `?${query}` : ""}`);
  print({ quarantines }, () =>
    quarantines.length === 0
      ? [values.all ? "No release was ever quarantined." : "No release is quarantined."]
      : quarantines.flatMap((q) => [
          paint(io, q.active ? "red" : "grey", `${q.id}  ${q.active ? "QUARANTINED" : "lifted"}  ${q.serviceId} ${q.version}`),
          `  ${q.description}`,
          ...(q.active ? [`  Lift: flightdeck quarantine lift ${q.id} --reason "…"`] : []),
        ]),
  );
  return 0;
}
