CREATE TABLE `quarantines` (
	`id` text PRIMARY KEY NOT NULL,
	`service_id` text NOT NULL,
	`digest` text NOT NULL,
	`artifact_id` text NOT NULL,
	`version` text NOT NULL,
	`cause` text NOT NULL,
	`region_id` text NOT NULL,
	`rollout_id` text NOT NULL,
	`region_rollout_id` text NOT NULL,
	`at` integer NOT NULL,
	`lifted_by` text,
	`lift_reason` text,
	`lifted_at` integer
);
--> statement-breakpoint
CREATE INDEX `quarantines_service_digest` ON `quarantines` (`service_id`,`digest`,`lifted_at`);