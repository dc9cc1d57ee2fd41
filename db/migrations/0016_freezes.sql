CREATE TABLE `freezes` (
	`id` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`declared_by` text NOT NULL,
	`declared_at` integer NOT NULL,
	`lifted_by` text,
	`lifted_at` integer
);
--> statement-breakpoint
CREATE INDEX `freezes_lifted` ON `freezes` (`lifted_at`);--> statement-breakpoint
ALTER TABLE `rollouts` ADD `break_glass_reason` text;--> statement-breakpoint
ALTER TABLE `region_rollouts` ADD `freeze_held_at` integer;