// Debian packages the suite needs. Installed with apt when running as root; otherwise one line naming them.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** What proves each package is there. */
const PROBES = {
  chromium: "/usr/bin/chromium",
  prometheus: "/usr/bin/prometheus",
  "prometheus-pushgateway": "/usr/bin/prometheus-pushgateway",
  haproxy: "/usr/sbin/haproxy",
  nginx: "/usr/sbin/nginx",
  "openssh-server": "/usr/sbin/sshd",
  postgresql: "/usr/lib/postgresql/15/bin/pg_ctl", // the version lab/servers/postgres.ts runs
  awscli: "/usr/bin/aws", // the CI workflow's S3 publish step, run against a local receiver (server/cli/ci-workflows.test.ts)
};

export function ensureSystemPackages(names) {
  const missing = names.filter((n) => !existsSync(PROBES[n] ?? `/usr/bin/${n}`));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`Missing system package(s): ${missing.join(" ")}. Install them with: sudo apt-get install -y ${missing.join(" ")}`);
    process.exit(1);
  }
  console.log(`Installing system package(s) with apt: ${missing.join(" ")}`);
  const apt = (args) => spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (apt(["update"]).status !== 0 || apt(["install", "-y", "-o", "DPkg::Lock::Timeout=300", "--no-install-recommends", ...missing]).status !== 0) {
    console.error(`Could not install ${missing.join(" ")} with apt-get; install them and run again.`);
    process.exit(1);
  }
}
