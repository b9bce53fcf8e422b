import { route } from '@ballast/platform/http/route.js';
import { patchPortfolio } from '@ballast/platform/services/portfolios.js';

export const handler = route('portfolios.patch', patchPortfolio);
