/**
 * Where an artifact's ref and commit came from: the signed CI webhook (trustworthy as the webhook secret), or a
 * person who typed them on the dashboard, REST or the CLI (only as good as that person's word).
 */
type Props = { provenance: "webhook" | "manual" };

export function ProvenanceMark({ provenance }: Props) {
  return provenance === "webhook" ? (
    <span
      data-testid="provenance-webhook"
      title="Ref and commit came from the signed CI webhook"
      className="ml-2 rounded bg-emerald-50 px-1.5 py-0.5 font-sans text-xs text-emerald-800 ring-1 ring-emerald-200"
    >
      signed by CI
    </span>
  ) : (
    <span
      data-testid="provenance-manual"
      title="Ref and commit were typed by a person (dashboard, REST or CLI), not signed by CI"
      className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 font-sans text-xs text-amber-900 ring-1 ring-amber-200"
    >
      typed by a person
    </span>
  );
}
