import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { TRPCProvider } from "@/components/trpc/client";
import type { AppRouter } from "@/server/api/root";
import type { PendingRollout } from "@/server/services/approvals-pending";
import { PendingApprovals } from "./pending-approvals";

const gate = (regionId: string, cannotDecide: string | null, ahead = false) => ({
  regionId,
  regionName: regionId.toUpperCase(),
  environment: `production-${regionId}`,
  required: { functional: 1, sre: 1 },
  decisions: [],
  cannotDecide,
  stillNeeded: "1 functional reviewer and 1 SRE",
  ahead,
});

const ROLLOUT: PendingRollout = {
  rolloutId: "r1",
  serviceId: "api",
  serviceName: "API",
  initiator: "user:dana",
  initiatorName: "Dana",
  ciActor: null,
  startedAt: 1_700_000_000_000,
  strategy: "parallel",
  artifact: {
    version: "2.0.0",
    digest: `sha256:${"a".repeat(64)}`,
    commitSha: "0123456789ab",
    commitUrl: "https://github.com/acme/api/commit/0123456789ab",
    sourceRef: "refs/heads/main",
    provenance: "webhook",
  },
  plan: [
    { regionId: "us-east", position: 0, phase: "succeeded" },
    { regionId: "eu-west", position: 1, phase: "awaiting_approval" },
    { regionId: "apac-se", position: 2, phase: "pending" },
  ],
  schemaCheck: null,
  gates: [gate("eu-west", null), gate("apac-se", null, true)],
};

/** Server-renders the page body with the pending list already in the cache, as the page's prefetch does. */
function render(data: PendingRollout[], mayDecide: boolean): string {
  const queryClient = new QueryClient();
  const trpcClient = createTRPCClient<AppRouter>({ links: [httpLink({ url: "http://localhost:1/api/trpc", transformer: superjson })] });
  const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
  queryClient.setQueryData(trpc.approvals.pending.queryKey(), data);
  // TRPCProvider's props type requires `children`, so it is passed as a prop here (a .ts file has no JSX).
  // eslint-disable-next-line react/no-children-prop
  const providers = createElement(TRPCProvider, { trpcClient, queryClient, children: createElement(PendingApprovals, { mayDecide }) });
  const html = renderToString(createElement(QueryClientProvider, { client: queryClient }, providers));
  // React separates adjacent text with comments; a reader sees the text joined.
  return html.replaceAll("<!-- -->", "");
}

describe("pending approvals", () => {
  it("shows a reviewer the gate with approve, reject and approve-all, the commit link and what passed upstream", () => {
    const html = render([ROLLOUT], true);
    expect(html).toContain('data-testid="approve-r1-eu-west"');
    expect(html).toContain('data-testid="reject-r1-eu-west"');
    expect(html).toContain('data-testid="approve-all-r1"');
    expect(html).toContain('href="https://github.com/acme/api/commit/0123456789ab"');
    expect(html).toContain("1. us-east: succeeded");
    expect(html).toContain("Still needed: 1 functional reviewer and 1 SRE");
    expect(html).toContain("Approve the 2 gates I may");
  });

  it("offers only an approval for a gate not reached yet, and says when it counts", () => {
    const html = render([ROLLOUT], true);
    expect(html).toContain('data-testid="approve-r1-apac-se"');
    expect(html).toContain("Approve ahead");
    expect(html).not.toContain('data-testid="reject-r1-apac-se"');
    expect(html).toContain("an approval given now counts when APAC-SE gets to its gate");
  });

  it("offers no approve-all for a single gate, and disables the buttons of a gate this reviewer may not decide", () => {
    const one = { ...ROLLOUT, gates: [gate("eu-west", "You already approved this gate as SRE.")] };
    const html = render([one], true);
    expect(html).not.toContain("approve-all-r1");
    expect(html).toContain("You already approved this gate as SRE.");
    expect(html).toMatch(/<button[^>]*data-testid="approve-r1-eu-west"[^>]*disabled=""/);
  });

  it("shows a viewer the gate without any button", () => {
    const html = render([ROLLOUT], false);
    expect(html).toContain("EU-WEST");
    expect(html).not.toContain("approve-r1-eu-west");
    expect(html).not.toContain("approve-all-r1");
  });

  it("says so when nothing waits", () => {
    expect(render([], true)).toContain("No gate is waiting for approval.");
  });
});
