import type { Exclusion, PlanningStore } from './store.js';

/**
 * What other contexts ask of planning about one symbol (the trading desk's allocation checks will):
 * whether it is excluded, and the category it belongs to. A symbol assigned to a deleted category
 * has none.
 */
export function exclusionOf(store: PlanningStore, portfolioId: string, symbol: string): Promise<Exclusion | undefined> {
  return store.getExclusion(portfolioId, symbol);
}

export async function categoryOfSymbol(
  store: PlanningStore,
  portfolioId: string,
  symbol: string,
): Promise<{ categoryId: string; name: string; maxSinglePositionPct: string | null } | undefined> {
  const assignment = await store.getAssignment(portfolioId, symbol);
  if (!assignment) return undefined;
  const category = await store.getCategory(portfolioId, assignment.categoryId);
  if (!category) return undefined;
  return {
    categoryId: category.categoryId,
    name: category.name,
    maxSinglePositionPct: category.maxSinglePositionPct ?? null,
  };
}
