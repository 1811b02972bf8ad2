import { pgTable, text, jsonb, timestamp } from 'drizzle-orm/pg-core';

/** Installation-wide state: whether the demo content was loaded, the instance id… */
export const platformSettings = pgTable('platform_settings', {
  /** Setting name. */
  key: text('key').primaryKey(),
  /** Setting value (JSON). */
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
