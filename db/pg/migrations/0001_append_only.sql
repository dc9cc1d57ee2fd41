-- What db/migrations does in SQL of its own, for PostgreSQL. The event log, the approvals and the role history are
-- append-only (SQLite: 0000, 0007, 0009): UPDATE, DELETE and TRUNCATE are refused. PostgreSQL has no INSERT OR
-- REPLACE, and an upsert's DO UPDATE fires the UPDATE trigger, so SQLite's "no replace" triggers need no twin here.
CREATE FUNCTION flightdeck_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0];
END;
$$;--> statement-breakpoint
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION flightdeck_refuse_change('events are append-only');--> statement-breakpoint
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION flightdeck_refuse_change('events are append-only');--> statement-breakpoint
CREATE TRIGGER approvals_append_only BEFORE UPDATE OR DELETE ON approvals FOR EACH ROW EXECUTE FUNCTION flightdeck_refuse_change('approvals are append-only');--> statement-breakpoint
CREATE TRIGGER approvals_no_truncate BEFORE TRUNCATE ON approvals FOR EACH STATEMENT EXECUTE FUNCTION flightdeck_refuse_change('approvals are append-only');--> statement-breakpoint
CREATE TRIGGER role_changes_append_only BEFORE UPDATE OR DELETE ON role_changes FOR EACH ROW EXECUTE FUNCTION flightdeck_refuse_change('role changes are append-only');--> statement-breakpoint
CREATE TRIGGER role_changes_no_truncate BEFORE TRUNCATE ON role_changes FOR EACH STATEMENT EXECUTE FUNCTION flightdeck_refuse_change('role changes are append-only');--> statement-breakpoint
-- Hand-written SQL against the role_assignments view keeps the history (SQLite: 0010): an INSERT is a grant, a
-- DELETE a removal (by "sql", now in unix ms), an UPDATE is refused.
CREATE FUNCTION role_assignments_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO role_changes (user_id, role, change, changed_by, at) VALUES (NEW.user_id, NEW.role, 'granted', NEW.granted_by, NEW.granted_at);
    RETURN NEW;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO role_changes (user_id, role, change, changed_by, at)
      VALUES (OLD.user_id, OLD.role, 'removed', 'sql', (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'role assignments keep their history: remove the role and grant it again';
END;
$$;--> statement-breakpoint
CREATE TRIGGER role_assignments_write INSTEAD OF INSERT OR UPDATE OR DELETE ON role_assignments FOR EACH ROW EXECUTE FUNCTION role_assignments_write();
