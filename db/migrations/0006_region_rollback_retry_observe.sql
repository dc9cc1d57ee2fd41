ALTER TABLE `region_rollouts` ADD `rollback_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `region_rollouts` ADD `rollback_next_at` integer;--> statement-breakpoint
ALTER TABLE `region_rollouts` ADD `rollback_last_error` text;--> statement-breakpoint
ALTER TABLE `region_rollouts` ADD `rollback_first_failed_at` integer;--> statement-breakpoint
ALTER TABLE `region_rollouts` ADD `rollback_last_alert_at` integer;--> statement-breakpoint
ALTER TABLE `region_rollouts` ADD `observe_until` integer;