import { createHash } from 'node:crypto';
import { DEMO_IDS } from '../../domain/demo/demo-ids';

export { DEMO_IDS };

/** A UUIDv7 as we make them (domain/shared/ids.ts): version 7, RFC 9562 variant, lowercase. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// The readable labels the demo ids had before they were UUIDs: a label built at run time
// (`sbr_${who}`) still finds the demo row.
const DEMO_LABELS: Readonly<Record<string, string>> = {
  usr_alice: DEMO_IDS.users.alice, usr_bob: DEMO_IDS.users.bob, usr_broker: DEMO_IDS.users.broker, usr_backoffice: DEMO_IDS.users.backoffice,
  dst_demo: DEMO_IDS.distributor,
  sbr_alice: DEMO_IDS.subscribers.alice, sbr_bob: DEMO_IDS.subscribers.bob,
  ins_alice: DEMO_IDS.insurees.alice, ins_bob: DEMO_IDS.insurees.bob,
  sbs_alice_av: DEMO_IDS.subscriptions.aliceAv, sbs_alice_per: DEMO_IDS.subscriptions.alicePer, sbs_bob_av: DEMO_IDS.subscriptions.bobAv, sbs_bob_per: DEMO_IDS.subscriptions.bobPer,
  pol_alice_av: DEMO_IDS.policies.aliceAv, pol_alice_per: DEMO_IDS.policies.alicePer, pol_bob_av: DEMO_IDS.policies.bobAv, pol_bob_per: DEMO_IDS.policies.bobPer,
  cmp_alice_av_main: DEMO_IDS.compartments.aliceAvMain, cmp_alice_per_c1: DEMO_IDS.compartments.alicePerC1, cmp_alice_per_c2: DEMO_IDS.compartments.alicePerC2, cmp_alice_per_c3: DEMO_IDS.compartments.alicePerC3,
  cmp_bob_av_main: DEMO_IDS.compartments.bobAvMain, cmp_bob_per_c1: DEMO_IDS.compartments.bobPerC1, cmp_bob_per_c2: DEMO_IDS.compartments.bobPerC2, cmp_bob_per_c3: DEMO_IDS.compartments.bobPerC3,
  pib_alice_debit: DEMO_IDS.payoutIbans.aliceDebit, pib_bob_debit: DEMO_IDS.payoutIbans.bobDebit,
  prd_av_demo: DEMO_IDS.products.av, prd_per_demo: DEMO_IDS.products.per,
  clause_spouse_children: DEMO_IDS.standardClauses.spouseChildren, clause_children: DEMO_IDS.standardClauses.children, clause_heirs: DEMO_IDS.standardClauses.heirs,
};

/**
 * A fixed UUID for a test's own label (`testId('pol_nobody')`, `testId(\`usr_${random}\`)`): the demo id
 * for a demo label, else a UUIDv8 (RFC 9562 custom version) made from the label's SHA-256, so the same
 * label is the same id in every file and run, and never one we would hand out (ours are v7).
 */
export function testId(label: string): string {
  const demo = DEMO_LABELS[label];
  if (demo) return demo;
  const bytes = createHash('sha256').update(label).digest().subarray(0, 16);
  bytes[6] = 0x80 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
