import { route } from '@ballast/platform/http/route.js';
import { deletePortfolio } from '@ballast/platform/services/portfolios.js';

export const handler = route('portfolios.delete', deletePortfolio);
