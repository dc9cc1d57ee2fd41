-- INSERT OR REPLACE (or an upsert) on an existing event id would delete that event without firing the DELETE
-- trigger (recursive_triggers is off): refuse an insert that names an id already in the log.
CREATE TRIGGER `events_no_replace` BEFORE INSERT ON `events` WHEN NEW.`id` IS NOT NULL AND EXISTS (SELECT 1 FROM `events` WHERE `id` = NEW.`id`) BEGIN SELECT RAISE(ABORT, 'events are append-only: event ids are never reused'); END;
