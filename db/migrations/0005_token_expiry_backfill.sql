-- Tokens from before expiry existed keep working for 90 days from this migration (docs/security.md, Tokens).
UPDATE `api_tokens` SET `expires_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 90 * 86400000 WHERE `expires_at` IS NULL;
--> statement-breakpoint
-- Artifacts the CI webhook registered before provenance was stored: their ref and commit came from the signed body.
UPDATE `artifacts` SET `provenance` = 'webhook' WHERE `id` IN (SELECT json_extract(`data`, '$.artifactId') FROM `events` WHERE `type` = 'artifact.registered' AND `actor` LIKE 'webhook:%');
