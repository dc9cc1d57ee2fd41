/**
 * The lab's sshd, the "host" the SSH deploy provider logs into: its own host key, config, authorized_keys and
 * port on 127.0.0.1. Keys only (no password, no PAM); the deploy user is root, as the lab runs as root.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LabError } from "../errors";
import { labPaths } from "../layout";
import { spawnDetached, waitForPort, type LabProcess } from "../process";

export type SshdInput = { dir: string; port: number };
export type LabSshd = LabProcess & {
  port: number;
  /** The client key Flightdeck logs in with (OpenSSH format, no passphrase). */
  clientKeyPath: string;
  /** The server's host key fingerprint as `ssh-keygen -lf` prints it: `SHA256:<base64>`. */
  hostKeySha256: string;
};

const SSHD = "/usr/sbin/sshd"; // sshd re-executes itself and so must be started by its absolute path

export async function startSshd({ dir, port }: SshdInput): Promise<LabSshd> {
  const keys = labPaths(dir).ssh;
  mkdirSync(keys, { recursive: true });
  const hostKey = path.join(keys, "ssh_host_ed25519_key");
  const clientKey = path.join(keys, "client_ed25519");
  generateKey(hostKey, "flightdeck-lab-host");
  generateKey(clientKey, "flightdeck-lab-deploy");
  const authorizedKeys = path.join(keys, "authorized_keys");
  writeFileSync(authorizedKeys, run("ssh-keygen", ["-y", "-f", clientKey]).trim() + " flightdeck-lab-deploy\n", { mode: 0o600 });

  const config = path.join(keys, "sshd_config");
  writeFileSync(
    config,
    [
      `# The Flightdeck lab's sshd (written by lab/servers/sshd.ts).`,
      `Port ${port}`,
      `ListenAddress 127.0.0.1`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(keys, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `PubkeyAuthentication yes`,
      `PasswordAuthentication no`,
      `KbdInteractiveAuthentication no`,
      `PermitRootLogin prohibit-password`,
      `UsePAM no`,
      `StrictModes no`,
      `Subsystem sftp /usr/lib/openssh/sftp-server`,
      // Debian's bash reads ~/.bashrc for every command run over SSH when SHLVL is unset; a slow one (pyenv
      // init costs seconds) would be paid by each deploy and each nginx weight change. At SHLVL=1 bash counts
      // itself a nested shell and skips it; the commands run as they would from a login with a lean rc file.
      `SetEnv SHLVL=1`,
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true }); // its privilege separation dir
  const check = spawnSync(SSHD, ["-t", "-f", config], { encoding: "utf8" });
  if (check.error) throw new LabError(`sshd: ${SSHD} is not installed (apt-get install openssh-server)`);
  if (check.status !== 0) throw new LabError(`sshd: its config ${config} is refused:\n${check.stderr}`);

  const proc = spawnDetached({ dir, name: "sshd", command: SSHD, args: ["-D", "-e", "-f", config] });
  await waitForPort(proc, port);
  const fingerprint = run("ssh-keygen", ["-lf", `${hostKey}.pub`]).split(" ")[1];
  return { ...proc, port, clientKeyPath: clientKey, hostKeySha256: fingerprint };
}

/** Keys are made once per lab dir and kept, so the fingerprint in the lab's config stays valid. */
function generateKey(file: string, comment: string) {
  if (existsSync(file)) return;
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
}

function run(command: string, args: string[]): string {
  const res = spawnSync(command, args, { encoding: "utf8" });
  if (res.error) throw new LabError(`${command} is not installed (apt-get install openssh-server)`);
  if (res.status !== 0) throw new LabError(`${command} ${args.join(" ")} failed:\n${res.stderr}`);
  return res.stdout;
}
