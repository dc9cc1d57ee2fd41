/**
 * The short version of `npm run chaos` (scripts/chaos/): the engine as its own process on the lab's real servers
 * (SSH deploy, HAProxy, nginx, Prometheus), killed with SIGKILL at a named crash point and at a random moment,
 * restarted each time; the rollout then checked from the servers' side (weights and their history, installs on
 * the hosts, cards at the receiver) and the event log. Seeded: a failure names its seed, run and kills.
 */
import { expect, it } from "vitest";
import { runChaos } from "@/scripts/chaos/run";

// Seed 18's first run (scripts/chaos/plan.ts): a good release to the three regions at once, the worker killed
// right after a deploy ran on the host and before it was recorded (deploy.after-effect), then 2.8 s after the next
// start; every region ends with the new colour live.
const SEED = 18;

it(`survives a crash-point kill and a random kill of the worker (seed ${SEED})`, { timeout: 85_000 }, async () => {
  const lines: string[] = [];
  const report = await runChaos({ seed: SEED, kills: 2, stageSeconds: 1, log: (l) => lines.push(l) });
  expect(report.failures, lines.join("\n")).toEqual([]);
  expect(report.kills.map((k) => k.kind)).toEqual(["deploy", "random"]);
  expect(`survived ${report.survived}/${report.made} kills`).toBe("survived 2/2 kills");
});
