CREATE TABLE `demo_faults` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`region_id` text NOT NULL,
	`stage_percent` integer NOT NULL,
	`error_rate_pct` real,
	`latency_p95_ms` real,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `demo_faults_region` ON `demo_faults` (`region_id`);