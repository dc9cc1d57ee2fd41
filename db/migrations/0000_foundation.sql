CREATE TABLE `services` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`repository` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `regions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`environment` text NOT NULL,
	`sort_order` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `region_states` (
	`service_id` text NOT NULL,
	`region_id` text NOT NULL,
	`live_colour` text DEFAULT 'blue' NOT NULL,
	`live_artifact_id` text,
	`previous_artifact_id` text,
	`green_pct` integer DEFAULT 0 NOT NULL,
	`active_region_rollout_id` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`service_id`, `region_id`),
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`region_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`live_artifact_id`) REFERENCES `artifacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`previous_artifact_id`) REFERENCES `artifacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `artifacts` (
	`id` text PRIMARY KEY NOT NULL,
	`service_id` text NOT NULL,
	`version` text NOT NULL,
	`digest` text NOT NULL,
	`url` text,
	`source_ref` text,
	`commit_sha` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `artifacts_service_version` ON `artifacts` (`service_id`,`version`);--> statement-breakpoint
CREATE TABLE `rollouts` (
	`id` text PRIMARY KEY NOT NULL,
	`service_id` text NOT NULL,
	`artifact_id` text NOT NULL,
	`strategy` text NOT NULL,
	`delay_minutes` integer,
	`status` text DEFAULT 'running' NOT NULL,
	`initiator` text NOT NULL,
	`initiator_user_id` text,
	`correlation_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`artifact_id`) REFERENCES `artifacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rollouts_status` ON `rollouts` (`status`);--> statement-breakpoint
CREATE INDEX `rollouts_service` ON `rollouts` (`service_id`);--> statement-breakpoint
CREATE TABLE `region_rollouts` (
	`id` text PRIMARY KEY NOT NULL,
	`rollout_id` text NOT NULL,
	`region_id` text NOT NULL,
	`position` integer NOT NULL,
	`phase` text DEFAULT 'pending' NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`pause_reason` text,
	`stage_index` integer DEFAULT -1 NOT NULL,
	`stage_started_at` integer,
	`deadline_at` integer,
	`paused_remaining_ms` integer,
	`next_tick_at` integer DEFAULT 0 NOT NULL,
	`from_colour` text NOT NULL,
	`to_colour` text NOT NULL,
	`previous_artifact_id` text,
	`canary_pct` integer DEFAULT 0 NOT NULL,
	`breaches` integer DEFAULT 0 NOT NULL,
	`inconclusive` integer DEFAULT 0 NOT NULL,
	`last_sample_at` integer,
	`last_verdict` text,
	`requested_action` text,
	`requested_by` text,
	`cause` text,
	`outcome_reason` text,
	`attempt` integer DEFAULT 1 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`rollout_id`) REFERENCES `rollouts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`region_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`previous_artifact_id`) REFERENCES `artifacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `region_rollouts_rollout_region` ON `region_rollouts` (`rollout_id`,`region_id`);--> statement-breakpoint
CREATE INDEX `region_rollouts_due` ON `region_rollouts` (`phase`,`next_tick_at`);--> statement-breakpoint
CREATE TABLE `stages` (
	`id` text PRIMARY KEY NOT NULL,
	`region_rollout_id` text NOT NULL,
	`stage_index` integer NOT NULL,
	`percent` integer NOT NULL,
	`max_error_rate_pct` real NOT NULL,
	`max_latency_p95_ms` real NOT NULL,
	`duration_ms` integer NOT NULL,
	`max_cpu_pct` real,
	`max_memory_pct` real,
	`health_status` integer,
	`status` text DEFAULT 'pending' NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`region_rollout_id`) REFERENCES `region_rollouts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stages_region_rollout_index` ON `stages` (`region_rollout_id`,`stage_index`);--> statement-breakpoint
CREATE TABLE `samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`region_rollout_id` text NOT NULL,
	`stage_index` integer NOT NULL,
	`role` text NOT NULL,
	`taken_at` integer NOT NULL,
	`requests` integer,
	`error_rate_pct` real,
	`latency_p95_ms` real,
	`cpu_pct` real,
	`memory_pct` real,
	`health_status` integer,
	`verdict` text,
	`reasons` text,
	FOREIGN KEY (`region_rollout_id`) REFERENCES `region_rollouts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `samples_region_rollout` ON `samples` (`region_rollout_id`,`taken_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`message` text NOT NULL,
	`service_id` text,
	`rollout_id` text,
	`region_id` text,
	`correlation_id` text,
	`data` text
);
--> statement-breakpoint
CREATE INDEX `events_rollout` ON `events` (`rollout_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_type` ON `events` (`type`);--> statement-breakpoint
CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`region_rollout_id` text NOT NULL,
	`environment` text NOT NULL,
	`reviewer_id` text NOT NULL,
	`kind` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`region_rollout_id`) REFERENCES `region_rollouts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_gate_reviewer` ON `approvals` (`region_rollout_id`,`reviewer_id`);--> statement-breakpoint
CREATE TABLE `notification_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` integer NOT NULL,
	`channel_id` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`group_key` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_event_channel` ON `notification_outbox` (`event_id`,`channel_id`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `notification_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`delivery_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`body_sha256` text NOT NULL,
	`rollout_id` text,
	`status` integer NOT NULL,
	`response` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`scope` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text,
	`demo` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`disabled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_provider_account` ON `accounts` (`provider`,`provider_account_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `role_assignments` (
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`granted_by` text NOT NULL,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `role`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TRIGGER `events_no_update` BEFORE UPDATE ON `events` BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `events_no_delete` BEFORE DELETE ON `events` BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
