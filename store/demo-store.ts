import type { MoneyMovement } from '../domain/policy/policy-money';
import type { Queryable } from './db';
import { STANDARD_CLAUSE_IDS } from '../domain/shared/standard-clauses';
import { newUuid } from '../domain/shared/ids';
import { PolicyStore } from './policy-store';

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

  async insertMachineClient(
    tx: Queryable,
    c: { id: string; secretHash: string; distributorId: string; serial: string; certificate: { thumbprint: string; pem: string }; createdAt: Date },
  ): Promise<void> {
    await tx.query('insert into machine_clients (id, secret_hash, distributor_id, created_at) values ($1, $2, $3, $4)', [c.id, c.secretHash, c.distributorId, c.createdAt]);
    await tx.query('insert into machine_client_certificates (client_id, serial, thumbprint_s256, certificate_pem) values ($1, $2, $3, $4)', [
      c.id,
      c.serial,
      c.certificate.thumbprint,
      c.certificate.pem,
    ]);
  }

  /** Gives a certificate registered before signed requests existed its thumbprint and PEM; no-op otherwise. */
  async completeCertificate(clientId: string, serial: string, certificate: { thumbprint: string; pem: string }): Promise<void> {
    await this.db.query(
      'update machine_client_certificates set thumbprint_s256 = $3, certificate_pem = $4 where client_id = $1 and serial = $2 and thumbprint_s256 is null',
      [clientId, serial, certificate.thumbprint, certificate.pem],
    );
  }
}

/** One issued policy of the demo portfolio, with everything it hangs from. */
export interface DemoPolicy {
  subscriberId: string;
  subscriptionId: string;
  policyId: string;
  productId: string;
  signedAt: Date;
  initialPayment: number;
  compartments: Array<{ id: string; code: string; value: number }>;
  /** Its money ledger: what was paid in (and out) to reach those values. */
  movements?: MoneyMovement[];
}

export class DemoPortfolioStore {
  /** The subscriber and the insuree they are (`insureeId`, a new id when not given). */
  async insertSubscriber(tx: Queryable, s: { id: string; insureeId?: string; userId: string; distributorId: string; firstName: string; lastName: string; birthDate: string; email: string; phone: string; at: Date }): Promise<void> {
    await tx.query(
      `insert into subscribers (id, user_id, distributor_id, civility, first_name, last_name, birth_date, birth_place, nationality, address, email, phone, tax_residence, created_by, created_at)
       values ($1, $2, $3, 'MME', $4, $5, $6, 'Lyon', 'FR', $7, $8, $9, 'FR', 'demo', $10)`,
      [s.id, s.userId, s.distributorId, s.firstName, s.lastName, s.birthDate, JSON.stringify({ line1: '12 rue de la Paix', line2: null, postalCode: '75002', city: 'Paris', country: 'FR' }), s.email, s.phone, s.at],
    );
    await tx.query(
      `insert into insurees (id, subscriber_id, same_as_subscriber, civility, first_name, last_name, birth_date, birth_place, created_at)
       values ($1, $2, true, 'MME', $3, $4, $5, 'Lyon', $6)`,
      [s.insureeId ?? newUuid(), s.id, s.firstName, s.lastName, s.birthDate, s.at],
    );
  }

  async insertPolicy(tx: Queryable, p: DemoPolicy, iban: string, holder: string, withdrawalDeadline: Date): Promise<void> {
    await tx.query(
      `insert into subscriptions (id, subscriber_id, insuree_id, product_id, status, currency, initial_payment, scheduled_payment, scheduled_frequency,
         allocation, standard_clause_id, custom_clause, debit_iban, debit_holder, signed_at, withdrawal_deadline, withdrawn_at, created_at, updated_at)
       values ($1, $2, (select id from insurees where subscriber_id = $2 and same_as_subscriber order by created_at, id limit 1), $3, 'signed', 'EUR', $4, null, null, $5, $10, null, $6, $7, $8, $9, null, $8, $8)`,
      [p.subscriptionId, p.subscriberId, p.productId, p.initialPayment, JSON.stringify([{ isin: 'FR0000000001', basisPoints: 10000 }]), iban, holder, p.signedAt, withdrawalDeadline, STANDARD_CLAUSE_IDS.spouseChildren],
    );
    await tx.query(`insert into policies (id, subscription_id, subscriber_id, product_id, status, issued_at) values ($1, $2, $3, $4, 'active', $5)`, [
      p.policyId, p.subscriptionId, p.subscriberId, p.productId, p.signedAt,
    ]);
    for (const c of p.compartments) {
      await tx.query(`insert into compartments (id, policy_id, code, status, value, currency, created_at) values ($1, $2, $3, 'active', $4, 'EUR', $5)`, [c.id, p.policyId, c.code, c.value, p.signedAt]);
    }
    await new PolicyStore(tx).appendMovements(tx, p.movements ?? []);
  }
}
