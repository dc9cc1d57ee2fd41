import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { ApprovalsNavLink } from "@/components/approvals/approvals-nav-link";
import { NavLink } from "@/components/nav-link";
import { TRPCReactProvider } from "@/components/trpc/provider";
import { UserMenu } from "@/components/user-menu";
import { getSessionUser } from "@/server/auth/session";
import "./globals.css";

export const metadata: Metadata = { title: "Flightdeck", description: "Multi-region blue/green canary rollouts" };
export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#f8fafc" };

/** Two bars, blue over green: the product in one glyph. */
function Logo() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6">
      <rect x="3" y="5" width="18" height="5" rx="2.5" className="fill-sky-500" />
      <rect x="3" y="14" width="12" height="5" rx="2.5" className="fill-emerald-500" />
    </svg>
  );
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await getSessionUser();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <a
          href="#content"
          className="sr-only rounded-md bg-white px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50 focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          Skip to content
        </a>
        <TRPCReactProvider>
          <header className="border-b border-slate-200 bg-white/90 backdrop-blur supports-[backdrop-filter]:bg-white/75">
            <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
              <Link
                href="/"
                className="flex items-center gap-2 rounded-md text-base font-semibold tracking-tight text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
              >
                <Logo />
                Flightdeck
              </Link>
              {/* On a phone the links get a row of their own that scrolls sideways by itself, never the page. */}
              <nav
                aria-label="Main"
                className="order-last -mx-1 flex w-full items-center gap-1 overflow-x-auto p-1 md:order-none md:mx-0 md:w-auto md:overflow-visible"
              >
                <NavLink href="/">Overview</NavLink>
                <NavLink href="/rollouts">Rollouts</NavLink>
                <ApprovalsNavLink signedIn={user !== null} />
                <NavLink href="/audit">Audit log</NavLink>
                <NavLink href="/docs">Docs</NavLink>
                <NavLink href="/settings">Settings</NavLink>
                <NavLink href="/admin">Admin</NavLink>
              </nav>
              <div className="ml-auto">
                <UserMenu user={user} />
              </div>
            </div>
          </header>
          <div id="content" tabIndex={-1} className="outline-none">
            {children}
          </div>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
