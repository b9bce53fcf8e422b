// Applying a decision's side effects is the caller's step, kept pure: decide, record, then apply.
import { triggerEmergencyShutdown, type AccountRiskState } from './state.js';
import type { RiskDecision } from './validator.js';

/** Trip the circuit breaker when the decision asks for it (drawdown at or past the limit). */
export function applyDecisionEffects(state: AccountRiskState, decision: RiskDecision): AccountRiskState {
  if (!decision.effects.triggerShutdown) return state;
  return triggerEmergencyShutdown(state, {
    reason: decision.effects.shutdownReason ?? 'risk decision',
    now: decision.at,
  });
}
