/**
 * `npm run bench`: runs every benchmark in scripts/bench/*.ts in turn; `npm run bench -- engine rollback-lab`
 * runs only those; options after the names go to each of them (`npm run bench -- ha --rollouts 500`). Each
 * benchmark file exports `run(options: string[]): Promise<void>` and prints its own table and command.
 * Benchmarks are not tests: they measure, and say how far from the goal they are.
 *
 * Issue 16's two on the production server: `npm run bench -- load` (200 live feeds, 50 API reads/s and running
 * rollouts for 10 minutes; `--minutes` to shorten) and `npm run bench -- restart` (kill -9 to resumed, 10 kills).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

type Bench = { run: (options: string[]) => Promise<void> };

const dir = path.join(import.meta.dirname, "bench");
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((f) => f.slice(0, -3))
  .sort();

const args = process.argv.slice(2);
const firstOption = args.findIndex((arg) => arg.startsWith("-"));
const wanted = firstOption === -1 ? args : args.slice(0, firstOption);
const options = firstOption === -1 ? [] : args.slice(firstOption);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`npm run bench: no benchmark named ${unknown.map((u) => JSON.stringify(u)).join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}

for (const name of wanted.length > 0 ? wanted : available) {
  console.log(`\n== bench: ${name} ==`);
  const bench = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as Bench;
  await bench.run(options);
}
