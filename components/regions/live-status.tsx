/** Whether the page is receiving live updates. Fixed width, so a reconnect does not move the heading. */
type Status = "idle" | "connecting" | "pending" | "error";

const LABELS: Record<Status, { text: string; dot: string }> = {
  pending: { text: "Live", dot: "bg-emerald-500" },
  connecting: { text: "Connecting…", dot: "bg-amber-400" },
  idle: { text: "Connecting…", dot: "bg-amber-400" },
  error: { text: "Reconnecting…", dot: "bg-red-500" },
};

export function LiveStatus({ status }: { status: Status }) {
  const label = LABELS[status];
  return (
    <span role="status" className="inline-flex w-32 items-center justify-end gap-2 text-xs font-medium text-slate-600">
      <span aria-hidden="true" className="relative flex size-2">
        {status === "pending" ? (
          <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60 motion-reduce:animate-none" />
        ) : null}
        <span className={`relative inline-flex size-2 rounded-full ${label.dot}`} />
      </span>
      {label.text}
    </span>
  );
}
