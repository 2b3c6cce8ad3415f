import type { Queryable } from './db';

/** Inserts for the demo data set; only ever called on an empty database. */
export class DemoStore {
  constructor(private readonly db: Queryable) {}

  async isEmpty(): Promise<boolean> {
    const rows = await this.db.query<{ n: number }>('select count(*)::int as n from users');
    return Number(rows[0].n) === 0;
  }

  async insertDistributor(tx: Queryable, d: { id: string; name: string; createdAt: Date }): Promise<void> {
    await tx.query('insert into distributors (id, name, created_at) values ($1, $2, $3)', [d.id, d.name, d.createdAt]);
  }

  async insertUser(tx: Queryable, u: { id: string; email: string; kind: string; passwordHash: string; distributorId: string | null; createdAt: Date }): Promise<void> {
    await tx.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
      u.id,
      u.email,
      u.kind,
      u.passwordHash,
      u.distributorId,
      u.createdAt,
    ]);
  }

  async insertMachineClient(tx: Queryable, c: { id: string; secretHash: string; distributorId: string; serial: string; createdAt: Date }): Promise<void> {
    await tx.query('insert into machine_clients (id, secret_hash, distributor_id, created_at) values ($1, $2, $3, $4)', [c.id, c.secretHash, c.distributorId, c.createdAt]);
    await tx.query('insert into machine_client_certificates (client_id, serial) values ($1, $2)', [c.id, c.serial]);
  }
}
