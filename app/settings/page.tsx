import type { Metadata } from "next";
import { ConfigInEffect } from "@/components/settings/config-in-effect";
import { SendTestCard } from "@/components/settings/send-test-card";
import { SlackLink } from "@/components/settings/slack-link";
import { describeRoles } from "@/components/ui/forbidden";
import { api } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";

export const metadata: Metadata = { title: "Settings · Flightdeck" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const { user, allowed, requiredRoles } = await requireUser("settings.manage", "/settings");
  // Everyone signed in links their own Slack account here; the fleet config below is for admins.
  const slack = (
    <section aria-labelledby="slack" className="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="slack" className="text-base font-semibold text-slate-900">
        Slack
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Link your Slack member id (Slack: your profile → ⋮ → Copy member ID) so the Approve, Reject, Pause and Roll back buttons on Slack cards act as you, with
        your roles.
      </p>
      <div className="mt-3">
        <SlackLink />
      </div>
    </section>
  );
  if (!allowed)
    return (
      <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
        <h1 className="text-2xl font-semibold text-slate-900">Settings</h1>
        <p className="mt-1 text-sm text-slate-600">
          The fleet config and the test card need {describeRoles(requiredRoles)}; you are signed in as {user.name} ({user.roles.join(", ") || "no role"}).
        </p>
        {slack}
      </main>
    );
  const view = await api.settings.view();

  return (
    <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
      <h1 className="text-2xl font-semibold text-slate-900">Settings</h1>
      <p className="mt-1 text-sm text-slate-600">The fleet config in effect. It is read from the file at start; change the file and restart to change it.</p>
      <section aria-labelledby="test-card" className="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="test-card" className="text-base font-semibold text-slate-900">
          Test card
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Sends the example incident (EU West, canary at 25 %, error rate 1.2 %, p95 420 ms) to every configured webhook and shows each answer.
        </p>
        <div className="mt-3">
          <SendTestCard />
        </div>
      </section>
      {slack}
      <div className="mt-6">
        <ConfigInEffect view={view} />
      </div>
    </main>
  );
}
