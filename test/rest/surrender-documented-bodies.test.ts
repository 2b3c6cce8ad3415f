import { EACH_DATABASE } from '../support/databases';
import { call } from '../support/http';
import type { TestServer } from '../support/server';
import { addCalendarMonths, surrenderPaymentDueBy } from '../../domain/surrender/payment-deadline';
import { addDays, endOfParisDay } from '../../domain/shared/paris-calendar';
import { freshPolicy, parisToday, scaledEur } from '../support/surrender-fixtures';
import { surrenderSuite, totalPath, partialPath, eur, expectError, expectRule } from '../support/surrender-suite';

// ---- helper builders -------------------------------------------------------------------------------

/** The stable reason of an error entry (beside the sentence in `message` once errors carry both). */
const reasonOf = (error: { reason?: string; message: string }) => error.reason ?? error.message;

describe.each(EACH_DATABASE)('surrender declarations over REST on %s', (_name, database) => {
  const suite = surrenderSuite(database);
  const { as, post, get, declaredCount } = suite;
  let server: TestServer;
  beforeAll(() => void ({ server } = suite.state()));
  describe('the documented bodies', () => {
    const daysAgo = (n: number) => addDays(parisToday(server.clock), -n);

    describe('POST total-surrender declarations: reason and requestedAt', () => {
      it.each([['client-request'], ['regulatory'], ['compliance']])('takes reason %s with requestedAt today: 201, the reason as sent', async (reason) => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const declared = await post(as.alice, totalPath(policyId), { reason, requestedAt: parisToday(server.clock) });
        expect(declared.status).toBe(201);
        expect(declared.json).toMatchObject({ kind: 'total', status: 'received', reason, earlyReleaseCase: null });
        expect((await get(as.alice, `${totalPath(policyId)}/${declared.json.id}`)).json.reason).toBe(reason);
      });

      it.each([['CLIENT-REQUEST'], ['client request'], ['other'], [''], [5], [true], [['regulatory']], [{ value: 'regulatory' }]])('refuses reason %j: 400 naming reason', async (reason) => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, totalPath(policyId), { reason, requestedAt: parisToday(server.clock) }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'reason');
        expect(await declaredCount(policyId)).toBe(0);
      });

      it.each([['2026-13-01'], ['2026-02-30'], ['2026-1-5'], ['30/11/2026'], ['2026-11-30T10:00:00Z'], ['tomorrow'], [''], [20261130], [null]])('refuses requestedAt %j that is not a YYYY-MM-DD date: 400 naming requestedAt', async (requestedAt) => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const answer = await post(as.alice, totalPath(policyId), { reason: 'client-request', requestedAt });
        if (requestedAt === null) {
          // null is "not given" for an optional field: today.
          expect(answer.status).toBe(201);
          return;
        }
        expectError(answer, 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'requestedAt');
        expect(await declaredCount(policyId)).toBe(0);
      });

      it('an earlier requestedAt starts the legal deadline that day (Paris); a later one, or one before the policy was issued, is a 422', async () => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const day = daysAgo(10);
        const declared = await post(as.alice, totalPath(policyId), { reason: 'regulatory', requestedAt: day });
        expect(declared.status).toBe(201);
        expect(declared.json.requestedAt).toBe(endOfParisDay(addDays(day, -1)).toISOString());
        expect(declared.json.paymentDueBy).toBe(surrenderPaymentDueBy(new Date(declared.json.requestedAt)).toISOString());
        const other = await freshPolicy(server, 'alice', 'av');
        expectRule(await post(as.alice, totalPath(other.policyId), { reason: 'client-request', requestedAt: addDays(parisToday(server.clock), 1) }), 'REQUESTED_AT_IN_THE_FUTURE', 'requestedAt');
        // freshPolicy's policies were issued in 2025.
        expectRule(await post(as.alice, totalPath(other.policyId), { reason: 'client-request', requestedAt: '2001-01-02' }), 'REQUESTED_AT_BEFORE_POLICY_ISSUE', 'requestedAt');
        expect(await declaredCount(other.policyId)).toBe(0);
      });

      it('a body that is not JSON is a 400', async () => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const malformed = await call(`${server.url}${totalPath(policyId)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'application/json' }, body: '{"reason": "client-request",' });
        expectError(malformed, 400, 'parameter_invalid', 'MALFORMED_JSON');
        // Not application/json: the docs make it a 400 too.
        const text = await call(`${server.url}${totalPath(policyId)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'text/plain' }, body: 'reason=client-request' });
        expectError(text, 400, 'parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
        expect(await declaredCount(policyId)).toBe(0);
      });
    });

    describe('POST partial-surrender declarations: amount {value, scale, currency} and requestedAt', () => {
      it.each([
        ['1,234.56 EUR at scale 2', { value: 123_456, scale: 2, currency: 'EUR' }, 123_456],
        ['the same at scale 4', { value: 12_345_600, scale: 4, currency: 'EUR' }, 123_456],
        ['1,000.5 EUR at scale 1', { value: 10_005, scale: 1, currency: 'EUR' }, 100_050],
        ['0.09 EUR written with 17 decimals', { value: 9_000_000_000_000_000, scale: 17, currency: 'EUR' }, 9],
      ])('takes %s: stored as exact cents', async (_label, amount, cents) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av', { MAIN: 10_000_000 });
        const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount, requestedAt: parisToday(server.clock) });
        if (cents < 50_000) {
          // Below the product's minimum: the amount was read exactly, then the product's rule applies.
          expectRule(declared, 'PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM', 'amount.value');
          return;
        }
        expect(declared.status).toBe(201);
        expect(declared.json).toMatchObject({ kind: 'partial', amount: eur(cents), reason: 'client-request' });
      });

      it.each([
        ['value zero', { value: 0, scale: 2, currency: 'EUR' }, 'amount.value', 'VALUE_NOT_POSITIVE_INTEGER'],
        ['value negative', { value: -100, scale: 2, currency: 'EUR' }, 'amount.value', 'VALUE_NOT_POSITIVE_INTEGER'],
        ['value a fraction', { value: 1000.5, scale: 2, currency: 'EUR' }, 'amount.value', 'INVALID_FIELD_VALUE'],
        ['value a string', { value: '1000', scale: 2, currency: 'EUR' }, 'amount.value', 'INVALID_FIELD_VALUE'],
        ['value beyond 2^53', { value: 2 ** 53, scale: 2, currency: 'EUR' }, 'amount.value', 'INVALID_FIELD_VALUE'],
        ['scale zero', { value: 1000, scale: 0, currency: 'EUR' }, 'amount.scale', 'SCALE_NOT_POSITIVE_INTEGER'],
        ['scale negative', { value: 1000, scale: -2, currency: 'EUR' }, 'amount.scale', 'SCALE_NOT_POSITIVE_INTEGER'],
        ['scale a fraction', { value: 1000, scale: 1.5, currency: 'EUR' }, 'amount.scale', 'INVALID_FIELD_VALUE'],
        ['currency USD', { value: 60_000, scale: 2, currency: 'USD' }, 'amount.currency', 'CURRENCY_NOT_ACCEPTED'],
        ['currency lower case', { value: 60_000, scale: 2, currency: 'eur' }, 'amount.currency', 'CURRENCY_NOT_ACCEPTED'],
        ['no value', { scale: 2, currency: 'EUR' }, 'amount.value', 'REQUIRED_FIELD_MISSING'],
        ['no scale', { value: 60_000, currency: 'EUR' }, 'amount.scale', 'REQUIRED_FIELD_MISSING'],
        ['no currency', { value: 60_000, scale: 2 }, 'amount.currency', 'REQUIRED_FIELD_MISSING'],
        ['our minor-unit shape', { amount: 60_000, currency: 'EUR' }, 'amount.value', 'REQUIRED_FIELD_MISSING'],
        ['a number', 600, 'amount', 'INVALID_FIELD_VALUE'],
        ['beyond the largest amount', { value: 100_000_000_001, scale: 2, currency: 'EUR' }, 'amount.value', 'AMOUNT_ABOVE_MAXIMUM'],
      ])('refuses %s: 400 naming the field', async (_label, amount, field, reason) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const answer = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount, requestedAt: parisToday(server.clock) });
        expect({ status: answer.status, code: answer.json.errors?.[0]?.code, field: answer.json.errors?.[0]?.field }).toEqual({ status: 400, code: 'parameter_invalid', field });
        expect(reasonOf(answer.json.errors[0])).toBe(reason);
        expect(await declaredCount(policyId)).toBe(0);
      });

      it.each([
        ['0.125 EUR', { value: 125, scale: 3 }],
        ['1,000.001 EUR', { value: 1_000_001, scale: 3 }],
        ['a sub-cent digit far down', { value: 1_000_000_000_000_001, scale: 15 }],
        ['a scale past every digit', { value: 60_000, scale: 40 }],
      ])('refuses %s, finer than the cent, without rounding: 400 naming amount.value and amount.scale', async (_label, scaled) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const answer = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: { ...scaled, currency: 'EUR' }, requestedAt: parisToday(server.clock) });
        expect(answer.status).toBe(400);
        expect(answer.json.errors.map((e: { field: string; message: string; code: string }) => [e.code, e.field, reasonOf(e)])).toEqual([
          ['parameter_invalid', 'amount.value', 'AMOUNT_FINER_THAN_MINOR_UNIT'],
          ['parameter_invalid', 'amount.scale', 'AMOUNT_FINER_THAN_MINOR_UNIT'],
        ]);
        expect(await declaredCount(policyId)).toBe(0);
      });

      it('requires amount and requestedAt (400 naming each)', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000) }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'requestedAt');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: null }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'requestedAt');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { requestedAt: parisToday(server.clock) }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'amount');
        const both = await post(as.alice, partialPath(policyId, compartments.MAIN), {});
        expect(both.status).toBe(400);
        expect(both.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['amount', 'requestedAt']);
        expect(await declaredCount(policyId)).toBe(0);
      });

      it.each([['2026-13-01'], ['2026-02-30'], ['2026-1-5'], ['30/11/2026'], ['2026-11-30T10:00:00Z'], [''], [20261130]])('refuses requestedAt %j: 400 naming requestedAt', async (requestedAt) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'requestedAt');
        expect(await declaredCount(policyId)).toBe(0);
      });

      it('an earlier requestedAt is when the request was made; a future one is a 422', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const day = daysAgo(3);
        const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: day });
        expect(declared.status).toBe(201);
        expect(declared.json).toMatchObject({ requestedAt: endOfParisDay(addDays(day, -1)).toISOString(), paymentDueBy: endOfParisDay(addCalendarMonths(day, 2)).toISOString() });
        expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: addDays(parisToday(server.clock), 1) }), 'REQUESTED_AT_IN_THE_FUTURE', 'requestedAt');
      });

      it('a reason is optional, from the same list as a total surrender', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expect((await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), reason: 'compliance' })).json.reason).toBe('compliance');
        // wire-codemod: keep (free text is no longer a reason)
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), reason: 'new car' }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'reason');
      });

      it('a body that is not JSON is a 400', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const malformed = await call(`${server.url}${partialPath(policyId, compartments.MAIN)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'application/json' }, body: '{"amount": {"value": 1' });
        expectError(malformed, 400, 'parameter_invalid', 'MALFORMED_JSON');
        const form = await call(`${server.url}${partialPath(policyId, compartments.MAIN)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'application/x-www-form-urlencoded' }, body: 'amount=1' });
        expectError(form, 400, 'parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
        expect(await declaredCount(policyId)).toBe(0);
      });
    });
  });
});
