/** What a CLI command may touch: its output, the environment, the clock. Tests pass their own. */
import { rawEnv, serverEnv } from "@/server/config/env";
import type { Env } from "@/server/config/load";
export type CliIo = {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Env;
  /** Colours only when stdout is a terminal. */
  tty: boolean;
  sleep: (ms: number) => Promise<void>;
};

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    env: rawEnv(), // the CLI checks and reports on the whole environment (doctor) and reads the config's *Env
    tty: Boolean(process.stdout.isTTY) && !serverEnv().NO_COLOR,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, grey: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(io: Pick<CliIo, "tty">, colour: Colour, text: string): string {
  return io.tty ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}
