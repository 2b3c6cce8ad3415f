import fc from 'fast-check';
import { benefitShares } from '../../../domain/death-claims/benefit-shares';

describe("each beneficiary's part of the claim", () => {
  it('gives the leftover cent to the largest dropped fraction', () => {
    expect([...benefitShares(100, [{ id: 'a', shareBasisPoints: 3333 }, { id: 'b', shareBasisPoints: 3333 }, { id: 'c', shareBasisPoints: 3334 }])]).toEqual([['a', 33], ['b', 33], ['c', 34]]);
  });

  it('breaks ties by line order', () => {
    expect([...benefitShares(101, [{ id: 'a', shareBasisPoints: 5000 }, { id: 'b', shareBasisPoints: 5000 }])]).toEqual([['a', 51], ['b', 50]]);
    expect([...benefitShares(2, [{ id: 'a', shareBasisPoints: 3333 }, { id: 'b', shareBasisPoints: 3333 }, { id: 'c', shareBasisPoints: 3334 }])]).toEqual([['a', 1], ['b', 0], ['c', 1]]);
  });

  it('is exact for values beyond 2^53 / 10000', () => {
    expect(benefitShares(9_007_199_254_740_991, [{ id: 'a', shareBasisPoints: 10_000 }]).get('a')).toBe(9_007_199_254_740_991);
  });

  it('adds up to the value when the shares add up to 100 %, each part within a cent of its exact share', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }), (value, weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      const shares = weights.map((w) => Math.floor((w * 10_000) / total));
      shares[0] += 10_000 - shares.reduce((a, b) => a + b, 0);
      const parts = benefitShares(value, shares.map((s, i) => ({ id: `b${i}`, shareBasisPoints: s })));
      expect([...parts.values()].reduce((a, b) => a + b, 0)).toBe(value);
      shares.forEach((s, i) => {
        const exact = (BigInt(value) * BigInt(s)) / 10_000n;
        expect(BigInt(parts.get(`b${i}`)!) - exact).toBeGreaterThanOrEqual(0n);
        expect(BigInt(parts.get(`b${i}`)!) - exact).toBeLessThanOrEqual(1n);
      });
    }));
  });
});
