import { route } from '@ballast/platform/http/route.js';
import { listPortfolios } from '@ballast/platform/services/portfolios.js';

export const handler = route('portfolios.list', listPortfolios);
