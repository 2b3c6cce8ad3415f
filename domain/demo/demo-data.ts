import type { Db } from '../../store/db';
import type { DemoStore } from '../../store/demo-store';
import { hashPassword } from '../auth/passwords';
import { normalizeCertificateSerial } from '../auth/certificate-serial';
import type { Clock } from '../shared/clock';

/** The published demo logins (README): anyone can try the API at once. Never loaded in production. */
export const DEMO = {
  password: 'demo-password-2026',
  distributor: { id: 'dst_demo', name: 'Demo Courtage' },
  users: [
    { id: 'usr_alice', email: 'alice@demo.test', kind: 'subscriber' },
    { id: 'usr_bob', email: 'bob@demo.test', kind: 'subscriber' },
    { id: 'usr_broker', email: 'broker@demo.test', kind: 'broker' },
    { id: 'usr_backoffice', email: 'backoffice@demo.test', kind: 'backoffice' },
  ],
  machineClient: { id: 'demo-partner', secret: 'demo-partner-secret', serial: '01:23:45:67:89:AB:CD:EF' },
} as const;

/** Loads the demo data into an empty database; returns false (and changes nothing) otherwise. */
export async function seedDemoData(db: Db, store: DemoStore, clock: Clock): Promise<boolean> {
  if (!(await store.isEmpty())) return false;
  const now = clock.now();
  const passwordHash = await hashPassword(DEMO.password);
  const secretHash = await hashPassword(DEMO.machineClient.secret);
  await db.transaction(async (tx) => {
    await store.insertDistributor(tx, { ...DEMO.distributor, createdAt: now });
    for (const user of DEMO.users) {
      // Subscribers are distributed by the demo broker's distributor, so the broker and the partner reach them.
      await store.insertUser(tx, { ...user, passwordHash, distributorId: user.kind === 'backoffice' ? null : DEMO.distributor.id, createdAt: now });
    }
    await store.insertMachineClient(tx, {
      id: DEMO.machineClient.id,
      secretHash,
      distributorId: DEMO.distributor.id,
      serial: normalizeCertificateSerial(DEMO.machineClient.serial)!,
      createdAt: now,
    });
  });
  return true;
}
