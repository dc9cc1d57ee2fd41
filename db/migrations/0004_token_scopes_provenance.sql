ALTER TABLE `artifacts` ADD `provenance` text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE `rollouts` ADD `ci_actor` text;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `signature_sha256` text;--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_signature` ON `webhook_deliveries` (`signature_sha256`);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;