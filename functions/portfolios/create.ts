import { route } from '@ballast/platform/http/route.js';
import { createPortfolio } from '@ballast/platform/services/portfolios.js';

export const handler = route('portfolios.create', createPortfolio);
