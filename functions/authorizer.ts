import { edgeAuthorizer } from '@ballast/platform/auth/edge.js';

export const handler = edgeAuthorizer();
