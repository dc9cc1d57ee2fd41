/** The server's words for what is wrong with one field, right under it (the field points here with aria-describedby). */
export function FieldProblems({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <ul id={id} className="mt-1.5 flex flex-col gap-1 text-sm text-red-700">
      {messages.map((m) => (
        <li key={m} className="flex gap-1.5">
          <svg aria-hidden="true" viewBox="0 0 16 16" className="mt-0.5 size-4 shrink-0 fill-current">
            <path d="M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm-.75 3.5h1.5v5h-1.5v-5Zm0 6.25h1.5v1.5h-1.5v-1.5Z" />
          </svg>
          <span>{m}</span>
        </li>
      ))}
    </ul>
  );
}

/** Shared look of the form's inputs: a visible focus ring, and red when the server found a problem. */
export function fieldLook(invalid: boolean): string {
  return `w-full min-w-0 rounded-md border bg-white px-2.5 py-1.5 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600 ${
    invalid ? "border-red-400" : "border-slate-300"
  }`;
}
