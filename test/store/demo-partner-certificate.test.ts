import { seedDemoData } from '../../domain/demo/demo-data';
import { ManualClock } from '../../domain/shared/clock';
import type { Db } from '../../store/db';
import { DemoStore } from '../../store/demo-store';
import { SignedRequestStore } from '../../store/signed-request-store';
import { EACH_DATABASE } from '../support/databases';
import { PARTNER_CERTIFICATE_PEM, PARTNER_THUMBPRINT } from '../support/signed-request';

describe.each(EACH_DATABASE)('the demo partner signing certificate on %s', (_name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await database.open());
  });
  afterAll(() => drop());

  it('is registered with the demo data, and given to a demo database seeded before signed requests', async () => {
    const store = new SignedRequestStore(db);
    expect(await seedDemoData(db, new DemoStore(db), new ManualClock())).toBe(true);
    expect(await store.certificateByThumbprint(PARTNER_THUMBPRINT)).toMatchObject({ clientId: 'demo-partner', certificatePem: PARTNER_CERTIFICATE_PEM });

    await db.query('update machine_client_certificates set thumbprint_s256 = null, certificate_pem = null');
    expect(await store.certificateByThumbprint(PARTNER_THUMBPRINT)).toBeUndefined();
    expect(await seedDemoData(db, new DemoStore(db), new ManualClock())).toBe(false);
    expect(await store.certificateByThumbprint(PARTNER_THUMBPRINT)).toMatchObject({ clientId: 'demo-partner', certificatePem: PARTNER_CERTIFICATE_PEM });
  });
});
