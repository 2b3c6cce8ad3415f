import { AppError } from '../../errors/app-error';

export type CompartmentStatus = 'open' | 'active' | 'suspended' | 'liquidating' | 'closed';
export type CompartmentAction = 'activate' | 'suspend' | 'resume' | 'liquidate' | 'close';

// open -> active -> (suspended <-> active) -> liquidating -> closed (docs/DOMAIN.md).
const STEPS: Record<CompartmentAction, { from: CompartmentStatus[]; to: CompartmentStatus }> = {
  activate: { from: ['open'], to: 'active' },
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  liquidate: { from: ['active', 'suspended'], to: 'liquidating' },
  close: { from: ['liquidating'], to: 'closed' },
};

export const COMPARTMENT_ACTIONS = Object.keys(STEPS) as CompartmentAction[];

/** The status `action` leads to, or 409 naming the current status (`CANNOT_SUSPEND_IN_STATE_CLOSED`). */
export function compartmentTransition(current: string, action: CompartmentAction): CompartmentStatus {
  const step = STEPS[action];
  if ((step.from as string[]).includes(current)) return step.to;
  throw new AppError('conflict', `CANNOT_${action.toUpperCase()}_IN_STATE_${current.toUpperCase()}`);
}

/** Compartment codes a product's policies may hold: C1-C3 for a PER, one MAIN for an assurance-vie. */
export function allowedCompartmentCodes(productKind: 'assurance_vie' | 'per'): string[] {
  return productKind === 'per' ? ['C1', 'C2', 'C3'] : ['MAIN'];
}
