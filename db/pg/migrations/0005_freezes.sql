CREATE TABLE "freezes" (
	"id" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"declared_by" text NOT NULL,
	"declared_at" bigint NOT NULL,
	"lifted_by" text,
	"lifted_at" bigint
);
--> statement-breakpoint
ALTER TABLE "region_rollouts" ADD COLUMN "freeze_held_at" bigint;--> statement-breakpoint
ALTER TABLE "rollouts" ADD COLUMN "break_glass_reason" text;--> statement-breakpoint
CREATE INDEX "freezes_lifted" ON "freezes" USING btree ("lifted_at");