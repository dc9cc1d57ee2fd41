import { integer } from "drizzle-orm/sqlite-core";

/** Times are unix milliseconds as plain integers: portable, and the engine's virtual clock fits them. */
export const createdAt = () => integer("created_at").notNull();
export const timestamp = (name: string) => integer(name);
