/**
 * Microsoft's Adaptive Cards library (the `adaptivecards` devDependency), for tests only: production code never
 * imports this file. Its ESM build (lib/) imports its own files without extensions, which Node cannot resolve,
 * so we load the UMD bundle from dist/ instead. Parsing and validation touch no DOM (only render() does), so it
 * runs in Vitest's node environment. The types come from the package's own declarations.
 */
import { createRequire } from "node:module";
import type * as AdaptiveCards from "adaptivecards";

export const AC = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js") as typeof AdaptiveCards;
export type { AdaptiveCards };

/** Teams renders Adaptive Cards up to schema 1.5 (Microsoft's Teams docs); a card asking for more falls back to text. */
export const TEAMS_MAX_VERSION = "1.5";
