/**
 * `flightdeck freeze now --reason <text>`: a stop-all (every running rollout holds before its next step, no rollout
 * starts); `flightdeck freeze lift`; `flightdeck freeze status`: what is frozen now and until when. Over the REST
 * API (`/api/v1/freeze`); declaring and lifting need a rollback token of an sre or admin.
 */
import { parseArgs } from "node:util";
import type { FreezeStatus, FreezeView } from "@/server/services/freezes";
import { apiClientFromEnv, type ApiClient } from "./api-client";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const OPTIONS = { reason: { type: "string" }, json: { type: "boolean" } } as const;

export async function runFreeze(argv: string[], io: CliIo, client?: ApiClient): Promise<number> {
  const [sub, ...rest] = argv;
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: OPTIONS }));
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const print = (data: unknown, lines: () => string[]) => (values.json ? io.out(JSON.stringify(data, null, 2)) : lines().forEach((l) => io.out(l)));
  if (sub !== "now" && sub !== "lift" && sub !== "status")
    throw new ArgumentError(`unknown freeze command ${JSON.stringify(sub ?? "")}; use now, lift or status`);
  if (sub === "now" && !values.reason) throw new ArgumentError('freeze now needs --reason <text>, e.g. flightdeck freeze now --reason "incident INC-7"');
  if (sub !== "now" && values.reason !== undefined) throw new ArgumentError(`--reason goes with freeze now, not freeze ${sub}`);
  const api = client ?? apiClientFromEnv(io.env);

  switch (sub) {
    case "now": {
      const freeze = await api.post<FreezeView>("/api/v1/freeze", { reason: values.reason });
      print(freeze, () => [
        paint(io, "red", `Stop-all declared (${freeze.reason}): every running rollout holds before its next step; no rollout starts.`),
        "Lift it with: flightdeck freeze lift",
      ]);
      return 0;
    }
    case "lift": {
      const lifted = await api.delete<{ freezeId: string; reason: string; woken: number }>("/api/v1/freeze");
      print(lifted, () => [`Stop-all lifted (${lifted.reason}); ${lifted.woken} held region rollout(s) go on.`]);
      return 0;
    }
    default: {
      const status = await api.get<FreezeStatus>("/api/v1/freeze");
      print(status, () =>
        status.frozen ? status.freezes.map((f) => paint(io, "red", `Frozen: ${f.description}.`)) : ["Nothing is frozen: rollouts may start."],
      );
      return 0;
    }
  }
}
