import { describe, expect, it } from 'vitest';
import * as handlers from './handlers.js';
import { routes } from './routes.js';

describe('control handlers', () => {
  it('every route declares what a project-scoped API key may do there, and its handler holds it', () => {
    for (const [name, route] of Object.entries(routes)) {
      expect(['allowed', 'ownProject', 'refused'], route.id).toContain(route.projectKeys);
      const handler: unknown = Reflect.get(handlers, name);
      expect(typeof handler, `${route.id} has a handler named ${name}`).toBe('function');
      expect(handlers.holdsKeyScope(Object(handler)), `${route.id}: its handler is wrapped by scoped()`).toBe(true);
    }
  });
});
