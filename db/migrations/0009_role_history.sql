CREATE TABLE `role_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`change` text NOT NULL,
	`changed_by` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `role_changes_user_role` ON `role_changes` (`user_id`,`role`,`id`);--> statement-breakpoint
CREATE TRIGGER `role_changes_no_update` BEFORE UPDATE ON `role_changes` BEGIN SELECT RAISE(ABORT, 'role changes are append-only'); END;--> statement-breakpoint
CREATE TRIGGER `role_changes_no_delete` BEFORE DELETE ON `role_changes` BEGIN SELECT RAISE(ABORT, 'role changes are append-only'); END;--> statement-breakpoint
CREATE TRIGGER `role_changes_no_replace` BEFORE INSERT ON `role_changes` WHEN NEW.`id` IS NOT NULL AND EXISTS (SELECT 1 FROM `role_changes` WHERE `id` = NEW.`id`) BEGIN SELECT RAISE(ABORT, 'role changes are append-only: ids are never reused'); END;--> statement-breakpoint
-- A reviewer's decision on a gate is history: never changed, removed or replaced (REPLACE on the unique index
-- would delete the first decision without firing a DELETE trigger).
CREATE TRIGGER `approvals_no_update` BEFORE UPDATE ON `approvals` BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;--> statement-breakpoint
CREATE TRIGGER `approvals_no_delete` BEFORE DELETE ON `approvals` BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;--> statement-breakpoint
CREATE TRIGGER `approvals_no_replace` BEFORE INSERT ON `approvals` WHEN EXISTS (SELECT 1 FROM `approvals` WHERE `id` = NEW.`id` OR (`region_rollout_id` = NEW.`region_rollout_id` AND `reviewer_id` = NEW.`reviewer_id`)) BEGIN SELECT RAISE(ABORT, 'approvals are append-only: each reviewer decides once per gate'); END;
