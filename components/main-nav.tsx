"use client";
/**
 * The main navigation. From md up the links sit in the header; below it a "Menu" button opens them as a list
 * with every item visible (a row that scrolls sideways hid Settings and Admin off-screen). Escape or following a
 * link closes the list; Escape gives focus back to the button.
 */
import { useRef, useState } from "react";
import { ApprovalsNavLink } from "@/components/approvals/approvals-nav-link";
import { NavLink } from "@/components/nav-link";
import type { NavItem } from "@/server/auth/nav-items";

export function MainNav({ items }: { items: NavItem[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls="main-nav"
        onClick={() => setOpen((o) => !o)}
        className="order-2 inline-flex items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700 md:hidden"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 fill-current">
          {open ? (
            <path d="M5.3 4.3 10 9l4.7-4.7 1 1L11 10l4.7 4.7-1 1L10 11l-4.7 4.7-1-1L9 10 4.3 5.3z" />
          ) : (
            <path d="M3 5h14v1.5H3zM3 9.25h14v1.5H3zM3 13.5h14V15H3z" />
          )}
        </svg>
        Menu
      </button>
      <nav
        id="main-nav"
        aria-label="Main"
        onClick={(e) => {
          if ((e.target as HTMLElement).closest("a")) setOpen(false);
        }}
        onKeyDown={(e) => {
          if (e.key !== "Escape" || !open) return;
          setOpen(false);
          button.current?.focus();
        }}
        className={`${open ? "flex" : "hidden"} order-last w-full flex-col gap-1 border-t border-slate-200 pt-2 md:order-none md:flex md:w-auto md:flex-row md:items-center md:border-0 md:pt-0`}
      >
        {items.map((item) =>
          item.href === "/approvals" ? (
            <ApprovalsNavLink key={item.href} />
          ) : (
            <NavLink key={item.href} href={item.href}>
              {item.label}
            </NavLink>
          ),
        )}
      </nav>
    </>
  );
}
