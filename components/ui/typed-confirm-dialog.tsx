"use client";
/**
 * The confirmation of an action that cannot be taken back and reaches far (a stop-all, an emergency rollback of
 * every region): the dialog says what happens, and its confirm button stays disabled until `word` is typed in
 * full (and `ready`, for a dialog with fields of its own). Enter in the field confirms as the button does.
 */
import { useState, type ReactNode, type RefObject } from "react";

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
export const CALM_BUTTON = `${BUTTON} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`;
export const DANGER_BUTTON = `${BUTTON} bg-red-700 text-white ring-red-800 hover:bg-red-800 disabled:bg-slate-100 disabled:text-slate-500 disabled:ring-slate-300`;

export function TypedConfirmDialog({
  dialogRef,
  titleId,
  title,
  children,
  word,
  ready = true,
  confirmLabel,
  confirmTestId,
  inputTestId,
  onConfirm,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  titleId: string;
  title: string;
  /** What happens, and any fields the action needs. */
  children: ReactNode;
  word: string;
  /** Fields of the dialog's own are filled in (default true). */
  ready?: boolean;
  confirmLabel: string;
  confirmTestId: string;
  inputTestId: string;
  onConfirm: () => void;
}) {
  const [typed, setTyped] = useState("");
  const allowed = typed === word && ready;
  const close = () => {
    setTyped("");
    dialogRef.current?.close();
  };
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onClose={() => setTyped("")}
      className="m-auto w-[min(34rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form
        className="flex flex-col gap-4 p-5"
        onSubmit={(e) => {
          e.preventDefault();
          if (!allowed) return;
          close();
          onConfirm();
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold text-slate-900">
          {title}
        </h2>
        {children}
        <label className="flex flex-col gap-1 text-sm text-slate-800">
          <span>
            Type <code className="rounded bg-slate-100 px-1 font-mono">{word}</code> to confirm
          </span>
          <input
            data-testid={inputTestId}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            className="rounded-md border border-slate-300 px-2 py-1 font-mono focus-visible:outline-2 focus-visible:outline-sky-600"
          />
        </label>
        <div className="flex justify-end gap-2">
          <button type="button" onClick={close} className={CALM_BUTTON}>
            Cancel
          </button>
          <button type="submit" data-testid={confirmTestId} disabled={!allowed} className={DANGER_BUTTON}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
