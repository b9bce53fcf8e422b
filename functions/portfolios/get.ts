import { route } from '@ballast/platform/http/route.js';
import { getPortfolio } from '@ballast/platform/services/portfolios.js';

export const handler = route('portfolios.get', getPortfolio);
