ALTER TABLE `artifacts` ADD `manifest` text;--> statement-breakpoint
ALTER TABLE `rollouts` ADD `schema_override_reason` text;