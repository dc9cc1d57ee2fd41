/**
 * A stage's judged samples as numbers in one growing Float64Array, for the runner's cache, which keeps them for the
 * whole stage. Kept as the machine's objects, a sample was five or six objects on the heap (the sample, its two
 * counts, a timestamp too large for a small integer, a p95 with a fraction), and every full collection marked them
 * all: at 1,000 region rollouts sampled each second the engine's live heap grew by 2 MB every 5 s, and the
 * collector's concurrent marking, which takes the CPU from the passes, went from 100 ms to 180 ms within 20 s.
 * `toSamples()` makes the machine's objects afresh for each pass: young garbage, which a scavenge frees for nothing.
 */
import type { GapKind, SampleCounts, StageSample, Verdict } from "@/server/engine/machine/types";

/** takenAt; canary requests, errors, p95; baseline requests, errors, p95; the verdict's index (+ 3 with a baseline). */
const STRIDE = 8;
const VERDICTS: readonly Verdict[] = ["pass", "breach", "inconclusive"];
const NO_GAPS: GapKind[] = [];

export class SampleColumns {
  length = 0;
  private numbers = new Float64Array(16 * STRIDE);
  /** The gaps of the samples that have any, by index (most stages have none). */
  private gaps: Map<number, GapKind[]> | null = null;

  /** The last sample's time, if any. */
  get lastTakenAt(): number | undefined {
    return this.length === 0 ? undefined : this.numbers[(this.length - 1) * STRIDE];
  }

  push(sample: StageSample): void {
    if ((this.length + 1) * STRIDE > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    const at = this.length * STRIDE;
    const n = this.numbers;
    const { canary, baseline } = sample;
    n[at] = sample.takenAt;
    n[at + 1] = canary.requests ?? NaN;
    n[at + 2] = canary.errors ?? NaN;
    n[at + 3] = canary.latencyP95Ms ?? NaN;
    n[at + 4] = baseline?.requests ?? NaN;
    n[at + 5] = baseline?.errors ?? NaN;
    n[at + 6] = baseline?.latencyP95Ms ?? NaN;
    n[at + 7] = VERDICTS.indexOf(sample.verdict) + (baseline ? VERDICTS.length : 0);
    if (sample.gaps.length > 0) (this.gaps ??= new Map()).set(this.length, sample.gaps);
    this.length++;
  }

  /** The samples, oldest first, as new objects. */
  toSamples(): StageSample[] {
    const n = this.numbers;
    const samples: StageSample[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const at = i * STRIDE;
      const flags = n[at + 7];
      samples[i] = {
        takenAt: n[at],
        verdict: VERDICTS[flags % VERDICTS.length],
        gaps: this.gaps?.get(i) ?? NO_GAPS,
        canary: counts(n, at + 1),
        baseline: flags >= VERDICTS.length ? counts(n, at + 4) : null,
      };
    }
    return samples;
  }
}

const known = (x: number) => (Number.isNaN(x) ? null : x);

function counts(n: Float64Array, at: number): SampleCounts {
  return { requests: known(n[at]), errors: known(n[at + 1]), latencyP95Ms: known(n[at + 2]) };
}
