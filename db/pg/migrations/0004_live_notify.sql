-- Live pages hear of new events and samples from any replica: a statement that inserts into either table sends
-- one notification on channel flightdeck_live, delivered when its transaction commits (PostgreSQL folds the
-- same notification sent twice in one transaction into one). It carries only the table's name.
CREATE FUNCTION flightdeck_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('flightdeck_live', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER events_live AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION flightdeck_live_notify();--> statement-breakpoint
CREATE TRIGGER samples_live AFTER INSERT ON samples FOR EACH STATEMENT EXECUTE FUNCTION flightdeck_live_notify();
