import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPlatform, type Platform } from '@ballast/platform/platform.js';
import { AppError } from '@ballast/platform/errors.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig } from '../../../platform/test/support/harness.js';
import { newPortfolioId } from './ids.js';
import { importCsv, rollBackAbandonedImport } from './import-service.js';
import type { LedgerDeps } from './ledger-service.js';
import type { LedgerStore, StoredEntry } from './ledger-store.js';
import { DynamoLedgerStore } from './ledger-store.dynamo.js';
import { DynamoPortfolioStore } from './store.dynamo.js';

let db: DynamoDBDocumentClient;
let table: string;
let platform: Platform;
const scope = { tenantId: 't_demo', projectId: 'p_demo' };
const AT = new Date(T0).toISOString();

beforeAll(async () => {
  const made = await createTestTable('imports');
  db = made.db;
  table = made.table;
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
});

const CSV = [
  'type,symbol,quantity,price,fee,amount,currency,tradeDate',
  'DEPOSIT,,,,,1000,USD,2026-01-02',
  'BUY,AAPL,2,100,1,,USD,2026-01-05',
  'BUY,MSFT,1,300,,,USD,2026-01-06',
  'SELL,AAPL,1,110,1,,USD,2026-02-01',
].join('\n');

function deps(ledger: LedgerStore = new DynamoLedgerStore(db, table, scope)): LedgerDeps {
  return {
    portfolios: new DynamoPortfolioStore(db, table, scope),
    ledger,
    prices: { fxRate: async () => undefined },
    unitOfWork: () =>
      platform.unitOfWork(
        { kind: 'principal', tenantId: 't_demo', requestId: 'r', principalId: 'u_test', principalKind: 'user' },
        T0,
      ),
    now: T0,
    actor: 'u_test',
  };
}

async function newPortfolio(cash = '0.00') {
  const portfolioId = newPortfolioId(T0);
  const uow = deps().unitOfWork();
  new DynamoPortfolioStore(db, table, scope).create(uow, {
    portfolioId,
    ...scope,
    name: 'Imports',
    baseCurrency: 'USD',
    cash,
    createdAt: AT,
    updatedAt: AT,
    version: 1,
  });
  await uow.commit();
  return portfolioId;
}

const options = (idempotencyKey?: string) =>
  ({ format: 'generic', mode: 'all-or-nothing', dryRun: false, idempotencyKey }) as const;

async function visible(portfolioId: string) {
  const ledger = new DynamoLedgerStore(db, table, scope);
  const record = await ledger.getBook(portfolioId);
  const page = await ledger.listEntries(portfolioId, { limit: 200 }, record?.openImports ?? []);
  return { record, entries: page.items };
}

describe('imports, all or nothing', () => {
  it('commits every row in one step: book, cash and sync log agree', async () => {
    const id = await newPortfolio();
    const { record, status } = await importCsv(deps(), id, CSV, options('k-commit-1'));
    expect(status).toBe(201);
    expect(record).toMatchObject({ status: 'committed', rowsRead: 4, accepted: 4, rejected: 0, duplicates: 0 });
    const seen = await visible(id);
    expect(seen.entries).toHaveLength(4);
    expect(seen.record?.openImports).toEqual([]);
    // 1000 − 201 − 300 + 109
    expect(seen.record?.book.cash).toBe('608.00');
    expect((await new DynamoPortfolioStore(db, table, scope).get(id))?.cash).toBe('608.00');
  });

  it('an interrupted write is invisible; a retry with the same key finishes it, no duplicates', async () => {
    const id = await newPortfolio();
    const real = new DynamoLedgerStore(db, table, scope);
    // The Lambda dies after writing half of the entries.
    const dying: LedgerStore = Object.assign(Object.create(real) as LedgerStore, {
      writeImportEntries: async (entries: readonly StoredEntry[]) => {
        await real.writeImportEntries(entries.slice(0, 2));
        throw new Error('Lambda timed out');
      },
    });
    await expect(importCsv(deps(dying), id, CSV, options('k-retry-1'))).rejects.toThrow('Lambda timed out');
    const during = await visible(id);
    expect(during.entries).toEqual([]);
    expect(during.record?.openImports).toHaveLength(1);
    expect(during.record?.book.cash).toBe('0.00');

    const retried = await importCsv(deps(), id, CSV, options('k-retry-1'));
    expect(retried.record).toMatchObject({ status: 'committed', accepted: 4 });
    const after = await visible(id);
    expect(after.entries).toHaveLength(4);
    expect(new Set(after.entries.map((e) => e.entryId)).size).toBe(4);
    expect(after.record?.openImports).toEqual([]);
    expect(after.record?.book.cash).toBe('608.00');
    // and a second retry answers the committed import without writing anything
    const again = await importCsv(deps(), id, CSV, options('k-retry-1'));
    expect(again.record.importId).toBe(retried.record.importId);
    expect((await visible(id)).entries).toHaveLength(4);
  });

  it('an abandoned import is rolled back by its job: entries gone, the book forgets it', async () => {
    const id = await newPortfolio();
    const real = new DynamoLedgerStore(db, table, scope);
    const dying: LedgerStore = Object.assign(Object.create(real) as LedgerStore, {
      writeImportEntries: async (entries: readonly StoredEntry[]) => {
        await real.writeImportEntries(entries.slice(0, 3));
        throw new Error('Lambda timed out');
      },
    });
    const scheduled: string[] = [];
    const withSchedule = {
      ...deps(dying),
      scheduleImportRollback: (_u: unknown, _p: string, importId: string) => scheduled.push(importId),
    };
    await expect(importCsv(withSchedule, id, CSV, options('k-abandon-1'))).rejects.toThrow('Lambda timed out');
    expect(scheduled).toHaveLength(1);
    const [importId] = scheduled;
    expect(await real.importEntries(id, importId)).toHaveLength(3);
    expect(await rollBackAbandonedImport(deps(), id, importId)).toBe('processed');
    expect(await real.importEntries(id, importId)).toEqual([]);
    expect((await visible(id)).record?.openImports).toEqual([]);
    expect(await real.getImport(id, importId)).toMatchObject({ status: 'rolled-back', accepted: 0 });
    // a second run, or one for a committed import, changes nothing
    expect(await rollBackAbandonedImport(deps(), id, importId)).toBe('skipped');
  });

  it('one bad row writes nothing and is reported with its row number', async () => {
    const id = await newPortfolio();
    const bad = `${CSV}\nBUY,NVDA,one,100,,,USD,2026-02-02`;
    const refused = await importCsv(deps(), id, bad, options('k-bad-1')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('IMPORT_REJECTED');
    expect((await visible(id)).entries).toEqual([]);
    const log = await new DynamoLedgerStore(db, table, scope).listImports(id, { limit: 10 });
    expect(log.items[0]).toMatchObject({ status: 'rejected', accepted: 0, rejected: 1 });
    expect(log.items[0].rejectedRows[0]).toMatchObject({ row: 6, field: 'quantity' });
  });

  it('a row the ledger refuses (overselling) rejects the file; per-row mode drops only that row', async () => {
    const oversell = `${CSV}\nSELL,MSFT,5,300,,,USD,2026-02-03`;
    const strict = await newPortfolio();
    const refused = await importCsv(deps(), strict, oversell, options('k-over-1')).catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('IMPORT_REJECTED');
    expect((await visible(strict)).entries).toEqual([]);
    const lenient = await newPortfolio();
    const { record } = await importCsv(deps(), lenient, oversell, { ...options('k-over-2'), mode: 'per-row' });
    expect(record).toMatchObject({ status: 'committed', accepted: 4, rejected: 1 });
    expect(record.rejectedRows[0]).toMatchObject({ row: 6 });
    expect(record.rejectedRows[0].reason).toContain('INSUFFICIENT_QUANTITY');
  });

  it('a re-import reports every row as a duplicate', async () => {
    const id = await newPortfolio();
    await importCsv(deps(), id, CSV, options('k-dup-1'));
    const { record } = await importCsv(deps(), id, CSV, options('k-dup-2'));
    expect(record).toMatchObject({ accepted: 0, duplicates: 4 });
    expect((await visible(id)).entries).toHaveLength(4);
  });

  it('a dry run reports and writes nothing', async () => {
    const id = await newPortfolio();
    const { record, status } = await importCsv(deps(), id, CSV, { ...options('k-dry-1'), dryRun: true });
    expect(status).toBe(200);
    expect(record).toMatchObject({ status: 'dry-run', accepted: 4 });
    expect((await visible(id)).record).toBeUndefined();
  });
});
