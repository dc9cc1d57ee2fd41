/**
 * HAProxy runtime API commands and answers, as pure functions. A colour's weight is its percent (HAProxy takes
 * 0 to 256), so `set weight api/green 25` with `api/blue 75` sends a quarter of new requests to green.
 */
import { ProviderError, type Colour, type TrafficSplit } from "../types";

const PROVIDER = "traffic-haproxy";
// HAProxy proxy and server names: letters, digits, "-", "_", ".", ":". Anything else could smuggle a second command.
const NAME = /^[A-Za-z0-9_.:-]+$/;

export type ServerRef = { backend: string; server: string };

export function checkName(kind: "backend" | "server", name: string): string {
  if (!NAME.test(name))
    throw new ProviderError(PROVIDER, `${kind} name ${JSON.stringify(name)} is not a valid HAProxy name (letters, digits, "-", "_", ".", ":")`);
  return name;
}

export function setWeightCommand(ref: ServerRef, weight: number): string {
  if (!Number.isInteger(weight) || weight < 0 || weight > 256) throw new ProviderError(PROVIDER, `weight ${weight} is outside HAProxy's 0 to 256`);
  return `set weight ${checkName("backend", ref.backend)}/${checkName("server", ref.server)} ${weight}`;
}

export function getWeightCommand(ref: ServerRef): string {
  return `get weight ${checkName("backend", ref.backend)}/${checkName("server", ref.server)}`;
}

/** `set weight` answers nothing on success and one line of words when it refuses. */
export function refusalOf(answer: string): string | null {
  const text = answer.trim();
  return text === "" ? null : text;
}

/** `get weight` answers `25 (initial 1)`; anything else is HAProxy's reason (e.g. `No such server.`). */
export function parseWeight(answer: string): { current: number; initial: number } | { refused: string } {
  const text = answer.trim();
  const m = /^(\d+) \(initial (\d+)\)$/.exec(text);
  if (!m) return { refused: text || "(empty answer)" };
  return { current: Number(m[1]), initial: Number(m[2]) };
}

/** The percent split that two weights give. Both at 0 means no server takes traffic: that is an error. */
export function splitFromWeights(blue: number, green: number): TrafficSplit {
  const sum = blue + green;
  if (sum === 0) throw new ProviderError(PROVIDER, "both blue and green have weight 0: the backend sends no traffic to either colour");
  const greenPct = Math.round((green * 100) / sum);
  return { blue: 100 - greenPct, green: greenPct };
}

/** The weights to set, in the order to set them: the one going up first, so both never sit at 0 together. */
export function weightChanges(current: { blue: number; green: number } | null, wanted: TrafficSplit): Array<{ colour: Colour; weight: number }> {
  const changes: Array<{ colour: Colour; weight: number }> = [
    { colour: "blue", weight: wanted.blue },
    { colour: "green", weight: wanted.green },
  ];
  if (!current) return changes.sort((a, b) => b.weight - a.weight);
  const rise = (c: { colour: Colour; weight: number }) => c.weight - current[c.colour];
  return changes.sort((a, b) => rise(b) - rise(a));
}
