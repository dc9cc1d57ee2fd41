ALTER TABLE "notification_outbox" ADD COLUMN "post_started_at" bigint;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "effect" jsonb;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "attempts" jsonb;--> statement-breakpoint
CREATE INDEX "steps_region_rollout" ON "steps" USING btree ("region_rollout_id");