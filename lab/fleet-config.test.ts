import { describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config/load";
import { labEnvironment, labFleetConfig, readEnvFile, renderConfig, renderEnv, type LabEndpoints } from "./fleet-config";
import { labLayout } from "./layout";
import { tempLabDir } from "./test-support";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const layout = labLayout("/srv/lab");
const endpoints: LabEndpoints = {
  ssh: { port: 19022, clientKeyPath: "/srv/lab/ssh/client_ed25519", hostKeySha256: "SHA256:6J2zbasdzqazksai/o/ICZHELKR/ywk1/vXQccREFKU" },
  haproxySockets: { "us-east": "/srv/lab/servers/haproxy-us-east/admin.sock", "eu-west": "/srv/lab/servers/haproxy-eu-west/admin.sock" },
  nginx: {
    "apac-se": {
      upstreamFile: "/srv/lab/servers/nginx-apac-se/upstream.conf",
      upstream: "be_apac-se",
      command: "/usr/sbin/nginx -c /srv/lab/servers/nginx-apac-se/nginx.conf",
    },
  },
};

describe("the lab's Flightdeck config", () => {
  it("passes Flightdeck's own check with the lab's environment, and runs the default stages", () => {
    const { config, problems } = parseConfig(renderConfig(labFleetConfig(layout, endpoints)), labEnvironment(layout) as NodeJS.ProcessEnv);
    expect(problems).toEqual([]);
    expect(config!.regions.map((r) => [r.id, r.deploy.provider, r.traffic.provider, r.metrics.provider])).toEqual([
      ["us-east", "ssh", "haproxy", "prometheus"],
      ["eu-west", "ssh", "haproxy", "prometheus"],
      ["apac-se", "ssh", "nginx", "prometheus"],
    ]);
    expect(config!.stages.map((s) => s.percent)).toEqual([10, 25, 50, 75, 100]);
    expect(config!.artifactFetch.allowPrivateAddresses).toBe(true);
    expect(config!.regions[0].deploy).toMatchObject({
      port: 19022,
      installDir: "/srv/lab/hosts/us-east/{colour}",
      restartCommand: "/srv/lab/hosts/us-east/{colour}/restart.sh",
    });
  });

  it("names only variables that the lab's environment sets", () => {
    const { problems } = parseConfig(renderConfig(labFleetConfig(layout, endpoints)), {} as NodeJS.ProcessEnv);
    expect(problems.map((p) => p.message)).toContain("environment variable DROPLET_USER is not set");
  });

  it("keeps the admin password across lab restarts, and reads back what it wrote", () => {
    const dir = tempLabDir();
    const env = labEnvironment(labLayout(dir));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "lab.env"), renderEnv({ ...env, QUOTED: "it's" }));
    expect(readEnvFile(path.join(dir, "lab.env"))).toEqual({ ...env, QUOTED: "it's" });
    expect(labEnvironment(labLayout(dir)).FLIGHTDECK_ADMIN_PASSWORD).toBe(env.FLIGHTDECK_ADMIN_PASSWORD);
    rmSync(dir, { recursive: true, force: true });
  });
});
