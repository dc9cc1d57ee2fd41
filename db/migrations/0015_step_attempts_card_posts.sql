ALTER TABLE `notification_outbox` ADD `post_started_at` integer;--> statement-breakpoint
ALTER TABLE `steps` ADD `effect` text;--> statement-breakpoint
ALTER TABLE `steps` ADD `attempts` text;--> statement-breakpoint
CREATE INDEX `steps_region_rollout` ON `steps` (`region_rollout_id`);