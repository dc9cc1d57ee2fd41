-- The roles held so far become their first grants (the history starts here), then the table
-- becomes a view of the history.
INSERT INTO `role_changes` (`user_id`, `role`, `change`, `changed_by`, `at`) SELECT `user_id`, `role`, 'granted', `granted_by`, `granted_at` FROM `role_assignments` ORDER BY `granted_at`, `user_id`, `role`;--> statement-breakpoint
DROP TABLE `role_assignments`;--> statement-breakpoint
CREATE VIEW `role_assignments` AS select c.user_id, c.role, c.changed_by as granted_by, c.at as granted_at from role_changes c where c.change = 'granted' and c.id = (select max(l.id) from role_changes l where l.user_id = c.user_id and l.role = c.role);--> statement-breakpoint
-- Hand-written SQL against role_assignments keeps working and keeps the history: an INSERT is a grant, a
-- DELETE a removal (by "sql", now), an UPDATE is refused.
CREATE TRIGGER `role_assignments_insert` INSTEAD OF INSERT ON `role_assignments` BEGIN INSERT INTO `role_changes` (`user_id`, `role`, `change`, `changed_by`, `at`) VALUES (NEW.`user_id`, NEW.`role`, 'granted', NEW.`granted_by`, NEW.`granted_at`); END;--> statement-breakpoint
CREATE TRIGGER `role_assignments_delete` INSTEAD OF DELETE ON `role_assignments` BEGIN INSERT INTO `role_changes` (`user_id`, `role`, `change`, `changed_by`, `at`) VALUES (OLD.`user_id`, OLD.`role`, 'removed', 'sql', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)); END;--> statement-breakpoint
CREATE TRIGGER `role_assignments_no_update` INSTEAD OF UPDATE ON `role_assignments` BEGIN SELECT RAISE(ABORT, 'role assignments keep their history: remove the role and grant it again'); END;
