/**
 * `npm run chaos -- [--seed S] [--kills N] [--stage-seconds T]`: rollouts on the lab's real servers with the
 * Flightdeck process killed (kill -9 of its process group) at named crash points and at random moments, each
 * rollout checked from the servers' side (scripts/chaos/). Each failure is printed with its seed, run and kills;
 * the last line is `survived K/N kills`, and the exit code is 0 only when every run passed and K = N = --kills.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runChaos } from "./chaos/run";

const { values } = parseArgs({
  options: { seed: { type: "string" }, kills: { type: "string", default: "20" }, "stage-seconds": { type: "string", default: "3" } },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const kills = Number(values.kills);
const stageSeconds = Number(values["stage-seconds"]);
for (const [name, value] of [
  ["--seed", seed],
  ["--kills", kills],
  ["--stage-seconds", stageSeconds],
] as const)
  if (!Number.isInteger(value) || value < (name === "--seed" ? 0 : 1)) {
    console.error(`chaos: ${name} expects a whole number${name === "--seed" ? "" : " from 1"}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }

console.log(`chaos: seed ${seed}, ${kills} kills, stages of ${stageSeconds} s (rerun with --seed ${seed} --kills ${kills})`);
const report = await runChaos({ seed, kills, stageSeconds });
const kinds = [...new Set(report.kills.map((k) => k.kind))].sort();
for (const kind of kinds) {
  const of = report.kills.filter((k) => k.kind === kind);
  console.log(`  ${kind}: ${of.filter((k) => k.survived).length}/${of.length}`);
}
console.log(`cards: ${report.cards.posts} posts, ${report.cards.repeats} marked as a possible repeat`);
const load = loadavg().map((l) => l.toFixed(2));
console.log(`${report.failures.length} failed runs; ${report.seconds} s; load average ${load.join(" ")}`);
console.log(`survived ${report.survived}/${report.made} kills`);
process.exit(report.failures.length === 0 && report.survived === report.made && report.made === kills ? 0 : 1);
