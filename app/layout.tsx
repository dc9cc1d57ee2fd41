import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { MainNav } from "@/components/main-nav";
import { SessionEndedNotice } from "@/components/session-expiry";
import { TRPCReactProvider } from "@/components/trpc/provider";
import { UserMenu } from "@/components/user-menu";
import { navItemsFor } from "@/server/auth/nav-items";
import { getSessionUser } from "@/server/auth/session";
import "./globals.css";

export const metadata: Metadata = {
  title: "Flightdeck",
  description: "Multi-region blue/green canary rollouts",
  manifest: "/manifest.webmanifest",
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "any" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: "/icon-192.png",
  },
};
/** The page follows the system's colour scheme (globals.css), and so do the browser's own bars and controls. */
export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

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
              {/* Signed out there is nothing to navigate to: every page would ask for sign-in first. */}
              {user ? <MainNav items={navItemsFor(user.roles)} /> : null}
              <div className="order-1 ml-auto md:order-none">
                <UserMenu user={user} />
              </div>
            </div>
          </header>
          {user ? <SessionEndedNotice /> : null}
          <div id="content" tabIndex={-1} className="outline-none">
            {children}
          </div>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
