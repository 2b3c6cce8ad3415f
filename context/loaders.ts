import DataLoader from 'dataloader';
import type { CompartmentRow } from '../store/policy-store';
import type { Services } from './context';

/** Per-request batching: a page of policies with their compartments costs one compartments query. */
export interface Loaders {
  compartmentsByPolicy: DataLoader<string, CompartmentRow[]>;
}

export function createLoaders(services: Services): Loaders {
  return {
    compartmentsByPolicy: new DataLoader(async (policyIds) => {
      const rows = await services.policies.compartmentsOf(policyIds);
      return policyIds.map((id) => rows.filter((c) => c.policy_id === id));
    }),
  };
}
