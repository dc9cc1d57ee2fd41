/** For config tests: a one-region demo fleet as YAML (simulated providers, named as they must be), with extra lines at the top level and in the region. */
export function oneRegionDemoFleet(extra: { top?: string; region?: string } = {}): string {
  return `
demo: true
services: [{ id: api, name: API }]
${extra.top ?? ""}
regions:
  - id: us-east
    name: US East
    environment: production-us-east
    order: 1
    targets: { blue: { host: 10.0.0.1 }, green: { host: 10.0.0.2 } }
    deploy: { provider: simulated }
    traffic: { provider: simulated }
    metrics: { provider: simulated }
${extra.region ?? ""}
`;
}
