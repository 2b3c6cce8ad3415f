import DataLoader from 'dataloader';
import type { Product } from '../domain/subscription/catalogue';
import type { MoneyMovement, PolicyMoney } from '../domain/policy/policy-money';
import type { Services } from './context';
import type { CatalogueFund, Valuation } from '../domain/investments/fund';
import type { CompartmentValuation } from '../domain/investments/position-service';
import type { Compartment, Management, OwnedPolicy, Policy, PolicyRead } from '../domain/policy/policy';
import type { Viewer } from '../domain/auth/viewer';
import { notFound } from '../domain/shared/access';

/** Per-request batching: a page of policies with their compartments costs one compartments query. */
export interface Loaders {
  compartmentsByPolicy: DataLoader<string, Compartment[]>;
  /** A page of policies with their money costs one ledger query. */
  moneyByPolicy: DataLoader<Policy, PolicyMoney, string>;
  movementsByPolicy: DataLoader<string, MoneyMovement[]>;
  /**
   * Policies the caller reaches, by id, each with the same 404 as the `policy` root field: the links to a
   * policy (a page of statement lines, of declarations) and `_entities` cost one query per request.
   */
  policyById: DataLoader<string, OwnedPolicy>;
  /** The catalogue is small: one read serves every product a request touches. */
  productById: DataLoader<string, Product | undefined>;
  fundByIsin: DataLoader<string, CatalogueFund | undefined>;
  latestValuationByIsin: DataLoader<string, Valuation | null>;
  /** A page of policies with their positions costs one movements query and one NAV query. */
  valuationByCompartment: DataLoader<Compartment, CompartmentValuation, string>;
  managementByCompartment: DataLoader<string, Management | undefined>;
  /** What a policy read brought along (its compartments, how they are managed): the fields below it read nothing more. */
  primePolicies(reads: readonly PolicyRead[]): void;
}

export function createLoaders(services: Services, viewer: Viewer | null): Loaders {
  const loaders: Loaders = {
    // Without a viewer nothing is reached (the fields that link are signed-in only anyway).
    // Batching only, no cache: a mutation earlier in the same document may have changed the policy.
    policyById: new DataLoader<string, OwnedPolicy>(async (ids) => (viewer ? services.policies.policiesFor(viewer, ids) : ids.map(() => notFound('policy'))), { cache: false }),
    compartmentsByPolicy: new DataLoader(async (policyIds) => {
      const rows = await services.policies.compartmentsOf(policyIds);
      return policyIds.map((id) => rows.filter((c) => c.policyId === id));
    }),
    moneyByPolicy: new DataLoader((policies) => services.policies.moneyOf(policies), { cacheKeyFn: (p) => p.id }),
    movementsByPolicy: new DataLoader(async (policyIds) => {
      const rows = await services.policies.movementsOf(policyIds);
      return policyIds.map((id) => rows.filter((m) => m.policyId === id));
    }),
    productById: new DataLoader(async (ids) => {
      const products = await services.subscription.products();
      return ids.map((id) => products.find((p) => p.id === id));
    }),
    fundByIsin: new DataLoader(async (isins) => {
      const funds = await services.funds.fundsByIsin(isins);
      return isins.map((isin) => funds.find((f) => f.isin === isin));
    }),
    latestValuationByIsin: new DataLoader(async (isins) => {
      const latest = await services.funds.latestValuations(isins);
      return isins.map((isin) => latest.find((v) => v.isin === isin) ?? null);
    }),
    // The funds come with the positions (same round trip): a position's fund reads nothing more.
    valuationByCompartment: new DataLoader(
      async (compartments) => {
        const { valuations, funds } = await services.positions.valuationsWithFunds(compartments);
        for (const fund of funds) loaders.fundByIsin.prime(fund.isin, fund);
        return valuations;
      },
      { cacheKeyFn: (c) => c.id },
    ),
    managementByCompartment: new DataLoader(async (ids) => {
      const rows = await services.policies.managementOf(ids);
      return ids.map((id) => rows.find((r) => r.compartmentId === id)?.management);
    }),
    primePolicies(reads) {
      for (const { policy, compartments } of reads) {
        loaders.compartmentsByPolicy.prime(policy.id, compartments);
        for (const c of compartments) loaders.managementByCompartment.prime(c.id, c.management);
      }
    },
  };
  return loaders;
}
