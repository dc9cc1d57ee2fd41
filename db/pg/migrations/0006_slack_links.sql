CREATE TABLE "slack_links" (
	"slack_user_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"linked_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slack_links" ADD CONSTRAINT "slack_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "slack_links_user" ON "slack_links" USING btree ("user_id");