import { randomBytes } from 'node:crypto';
import { AuditTrail } from '../../domain/shared/audit-trail';
import { ManualClock } from '../../domain/shared/clock';
import { AuditStore } from '../../store/audit-store';
import type { Db } from '../../store/db';
import { EACH_DATABASE } from '../support/databases';
import { DEMO_IDS } from '../support/ids';

const newTarget = () => `sub_${randomBytes(6).toString('hex')}`;

describe.each(EACH_DATABASE)('%s', (_name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  const clock = new ManualClock(new Date('2026-02-03T04:05:06.789Z'));
  let audit: AuditTrail;

  beforeAll(async () => {
    ({ db, drop } = await database.open());
    audit = new AuditTrail(new AuditStore(db), clock);
  });
  afterAll(async () => {
    await drop?.();
  });

  async function count(): Promise<number> {
    return Number((await db.query<{ n: number }>('select count(*)::int as n from audit_log'))[0].n);
  }

  async function seed(targetId: string): Promise<void> {
    await db.transaction((tx) =>
      audit.record(tx, {
        actor: { kind: 'system', id: 'seed' },
        action: 'subscription.created',
        target: { type: 'subscription', id: targetId },
        requestId: 'req_seed',
        details: { amount: '100.00' },
      }),
    );
  }

  describe('AuditTrail.record and history', () => {
    it('round-trips who, what, when, the request id and the details, in order', async () => {
      const target = newTarget();
      const viewer = { id: DEMO_IDS.users.alice, kind: 'subscriber' as const, email: 'alice@demo.test', clientId: null, distributorId: DEMO_IDS.distributor, sessionId: 'ses_1' };
      await db.transaction(async (tx) => {
        await audit.record(tx, {
          actor: viewer,
          action: 'subscription.created',
          target: { type: 'subscription', id: target },
          requestId: 'req_one',
          details: { product: 'assurance-vie', iban: 'FR76 **** **** 1234', nested: { amounts: [1, 2.5] } },
        });
        clock.advance(1500);
        await audit.record(tx, { actor: { kind: 'system', id: 'webhook:esign' }, action: 'subscription.signed', target: { type: 'subscription', id: target }, requestId: null });
      });
      const history = await audit.history('subscription', target);
      expect(history).toHaveLength(2);
      const [created, signed] = history;
      expect(created).toMatchObject({
        actorKind: 'subscriber',
        actorId: DEMO_IDS.users.alice,
        action: 'subscription.created',
        targetType: 'subscription',
        targetId: target,
        requestId: 'req_one',
        details: { product: 'assurance-vie', iban: 'FR76 **** **** 1234', nested: { amounts: [1, 2.5] } },
      });
      expect(new Date(created.at).toISOString()).toBe('2026-02-03T04:05:06.789Z');
      expect(signed).toMatchObject({ actorKind: 'system', actorId: 'webhook:esign', action: 'subscription.signed', requestId: null, details: {} });
      expect(new Date(signed.at).getTime() - new Date(created.at).getTime()).toBe(1500);
      expect(Number(signed.id)).toBeGreaterThan(Number(created.id));
      // Only the actor's kind and id are kept: no e-mail, session or other viewer fields.
      expect(JSON.stringify(history)).not.toContain('alice@demo.test');
      expect(JSON.stringify(history)).not.toContain('ses_1');
    });

    it('returns only the asked target’s entries', async () => {
      const mine = newTarget();
      const other = newTarget();
      await seed(mine);
      await seed(other);
      expect((await audit.history('subscription', mine)).map((e) => e.targetId)).toEqual([mine]);
      expect(await audit.history('iban', mine)).toEqual([]);
    });

    it('writes inside the caller’s transaction: a rolled-back write leaves no entry', async () => {
      const target = newTarget();
      await expect(
        db.transaction(async (tx) => {
          await audit.record(tx, { actor: { kind: 'system', id: 't' }, action: 'subscription.created', target: { type: 'subscription', id: target }, requestId: 'req_rb' });
          throw new Error('the write itself failed');
        }),
      ).rejects.toThrow('the write itself failed');
      expect(await audit.history('subscription', target)).toEqual([]);
    });
  });

  describe('append-only', () => {
    it('refuses UPDATE of an entry, and the entry is unchanged', async () => {
      const target = newTarget();
      await seed(target);
      const before = await audit.history('subscription', target);
      await expect(db.query(`update audit_log set action = 'subscription.deleted', actor_id = 'someone-else' where target_id = $1`, [target])).rejects.toThrow(/append-only/);
      await expect(db.query('update audit_log set details = $2 where target_id = $1', [target, '{}'])).rejects.toThrow(/append-only/);
      expect(await audit.history('subscription', target)).toEqual(before);
    });

    it('refuses DELETE of an entry, and of every entry', async () => {
      const target = newTarget();
      await seed(target);
      const total = await count();
      await expect(db.query('delete from audit_log where target_id = $1', [target])).rejects.toThrow(/append-only/);
      await expect(db.query('delete from audit_log')).rejects.toThrow(/append-only/);
      expect(await audit.history('subscription', target)).toHaveLength(1);
      expect(await count()).toBe(total);
    });

    it('refuses UPDATE and DELETE inside a transaction too, rolling it back', async () => {
      const target = newTarget();
      await seed(target);
      await expect(
        db.transaction(async (tx) => {
          await audit.record(tx, { actor: { kind: 'system', id: 't' }, action: 'subscription.updated', target: { type: 'subscription', id: target }, requestId: null });
          await tx.query('delete from audit_log where target_id = $1', [target]);
        }),
      ).rejects.toThrow(/append-only/);
      expect(await audit.history('subscription', target)).toHaveLength(1);
    });

    it('refuses TRUNCATE, which would empty the log without touching a row trigger', async () => {
      await seed(newTarget());
      const total = await count();
      expect(total).toBeGreaterThan(0);
      await expect(db.query('truncate audit_log')).rejects.toThrow(/append-only/);
      expect(await count()).toBe(total);
    });
  });
});
