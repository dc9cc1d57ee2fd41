ALTER TABLE `region_rollouts` ADD `extended_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `samples` ADD `errors` integer;--> statement-breakpoint
ALTER TABLE `samples` ADD `judgement` text;