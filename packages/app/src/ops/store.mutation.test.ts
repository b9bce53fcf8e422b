import { describe, expect, it } from 'vitest';
import { createTestTable } from '../../../platform/test/support/harness.js';
import { DynamoHealthStore } from './store.dynamo.js';

// The health check's store had no test of its own; mutation testing showed every line of it open.

describe('health store (DynamoDB)', () => {
  it('pings the control table and says how long it took, in whole milliseconds', async () => {
    const { db, table } = await createTestTable('health');
    const clock = [1000.2, 1012.6];
    const store = new DynamoHealthStore(db, table, () => clock.shift() ?? Number.NaN);
    expect(await store.pingControlTable()).toBe(12);
    expect(clock).toEqual([]);
  });

  it('a control table that is not there fails the ping', async () => {
    const { db, table } = await createTestTable('health');
    const store = new DynamoHealthStore(db, `${table}-missing`, () => 0);
    await expect(store.pingControlTable()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
