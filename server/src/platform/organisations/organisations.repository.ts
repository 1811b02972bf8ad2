import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organisations } from './organisations.table.ts';

export type Organisation = typeof organisations.$inferSelect;

export function createOrganisationsRepository(db: Db) {
  return {
    async list(tx: Db = db) {
      return tx.select().from(organisations).orderBy(asc(organisations.code));
    },
    async findByCode(code: string, tx: Db = db) {
      const [o] = await tx.select().from(organisations).where(eq(organisations.code, code.toUpperCase()));
      return o ?? null;
    },
    async findById(id: string, tx: Db = db) {
      const [o] = await tx.select().from(organisations).where(eq(organisations.id, id));
      return o ?? null;
    },
    async insert(values: typeof organisations.$inferInsert, tx: Db = db) {
      const [o] = await tx.insert(organisations).values(values).returning();
      return o!;
    },
    async update(id: string, values: Partial<typeof organisations.$inferInsert>, tx: Db = db) {
      const [o] = await tx
        .update(organisations)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(organisations.id, id))
        .returning();
      return o ?? null;
    },
  };
}
export type OrganisationsRepository = ReturnType<typeof createOrganisationsRepository>;
