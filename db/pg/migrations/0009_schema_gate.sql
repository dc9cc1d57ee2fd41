ALTER TABLE "artifacts" ADD COLUMN "manifest" jsonb;--> statement-breakpoint
ALTER TABLE "rollouts" ADD COLUMN "schema_override_reason" text;