import { type BookState, type EntryEffect, type LedgerEntry, LedgerRuleError } from '@ballast/core/ledger/index.js';
import { money } from '@ballast/core/money.js';
import { AppError, badRequest, conflict } from '@ballast/platform/errors.js';
import { createHash } from 'node:crypto';
import { importEntryId, newImportId } from './ids.js';
import { ImportFormatError, type ImportFormat, parseImport } from './import/index.js';
import { type TransactionBody, transactionBody } from './ledger-schemas.js';
import {
  bookWith,
  commitBook,
  flowsOf,
  effectiveEntries,
  fxRateFor,
  type LedgerDeps,
  ledgerEntryOf,
  livePortfolio,
  openingBook,
  storedEntryOf,
  withRetries,
} from './ledger-service.js';
import type { BookRecord, ImportRecord, StoredEntry } from './ledger-store.js';
import type { Portfolio } from './store.js';

export interface ImportOptions {
  format: ImportFormat | 'auto';
  mode: 'all-or-nothing' | 'per-row';
  dryRun: boolean;
  /** the request's Idempotency-Key: a retried upload resumes the import it started */
  idempotencyKey?: string;
}

/** Rows of a report kept on the import record (the counts stay exact beyond it). */
const MAX_REPORTED_ROWS = 1000;
/** Imports written but not committed that one portfolio may have at once. */
const MAX_OPEN_IMPORTS = 5;

type Rejection = ImportRecord['rejectedRows'][number];
interface Accepted {
  row: number;
  body: TransactionBody;
  entry: LedgerEntry;
}

/**
 * What makes two entries the same trade when the broker gives no id: its date, symbol, type,
 * quantity and price (numbers compared by value, "10.0" = "10").
 */
function fingerprint(e: {
  tradeDate: string;
  symbol?: string;
  type: string;
  quantity?: string;
  price?: string;
  amount?: string;
}): string {
  const n = (s?: string) => (s === undefined ? '' : money(s).toFixed());
  return [e.tradeDate, e.symbol ?? '', e.type, n(e.quantity), n(e.price), n(e.amount)].join('|');
}

function formatRefusal(e: ImportFormatError): AppError {
  if (e.code === 'UNRECOGNISED_FORMAT') return badRequest('IMPORT_FORMAT_UNRECOGNISED', e.message);
  if (e.code === 'MISSING_COLUMNS') {
    return new AppError(400, 'IMPORT_COLUMNS_MISSING', e.message, { extra: { missing: e.details.missing ?? [] } });
  }
  return new AppError(400, 'IMPORT_MALFORMED_CSV', e.message, {
    extra: e.details.row !== undefined ? { row: e.details.row } : {},
  });
}

const requestKeyOf = (key: string) => createHash('sha256').update(key).digest('base64url').slice(0, 32);

/** The first rows of a report, in row order. */
const capped = <T extends { row: number }>(rows: T[]) => rows.sort((a, b) => a.row - b.row).slice(0, MAX_REPORTED_ROWS);

/**
 * Imports a broker or generic CSV into a portfolio's ledger.
 *
 * All-or-nothing (the default) means no reader ever sees part of a file: the import is first
 * registered on the book as open (its entries are left out of every read while it is), the
 * entries are then written in batches, and one transaction commits the book, the cash, the import
 * record and the audit record — or, if the book moved and the rows no longer fit it, the entries
 * are removed and the import is rejected. A retry of an upload interrupted mid-write (same
 * Idempotency-Key) finds the import it started and finishes it; entry ids are derived from the
 * import id and the row, so nothing is written twice.
 */
export async function importCsv(
  deps: LedgerDeps,
  portfolioId: string,
  text: string,
  options: ImportOptions,
): Promise<{ record: ImportRecord; status: 200 | 201 }> {
  const started = deps.now;
  // Duration is wall time spent here (the platform clock may be a test's fixed one).
  const t0 = performance.now();
  const nowIso = new Date(started).toISOString();
  const requestKey = options.idempotencyKey ? requestKeyOf(options.idempotencyKey) : undefined;
  let parsed: ReturnType<typeof parseImport>;
  try {
    parsed = parseImport(text, options.format);
  } catch (e) {
    if (e instanceof ImportFormatError) throw formatRefusal(e);
    throw e;
  }
  const resumed = requestKey ? await deps.ledger.findImportByRequest(portfolioId, requestKey) : undefined;
  if (resumed && resumed.status !== 'writing') return { record: resumed, status: resumed.dryRun ? 200 : 201 };
  const importId = resumed?.importId ?? newImportId(started);

  const portfolio = await livePortfolio(deps.portfolios, portfolioId);
  const base = portfolio.baseCurrency;
  const rejected: Rejection[] = parsed.rejected.map((r) => ({ ...r }));
  const duplicates: ImportRecord['duplicateRows'] = [];
  const record0 = (await deps.ledger.getBook(portfolioId)) ?? openingBook(portfolio, nowIso);
  const openWithoutMe = record0.openImports.filter((id) => id !== importId);
  const existing = effectiveEntries(await deps.ledger.countingEntries(portfolioId, [...openWithoutMe, importId]));
  const externalIds = new Set(existing.flatMap((e) => (e.externalId ? [e.externalId] : [])));
  const fingerprints = new Set(existing.map(fingerprint));

  const rates = new Map<string, string | undefined>();
  const accepted: Accepted[] = [];
  for (const candidate of parsed.candidates) {
    const checked = transactionBody().safeParse(candidate.tx);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = issue.path.join('.');
      rejected.push({ row: candidate.row, reason: `${field || 'row'}: ${issue.message}`, ...(field ? { field } : {}) });
      continue;
    }
    const body = checked.data;
    if (body.externalId !== undefined && externalIds.has(body.externalId)) {
      duplicates.push({ row: candidate.row, reason: `externalId ${body.externalId} is already in the ledger` });
      continue;
    }
    const currency = body.currency ?? base;
    if (body.externalId === undefined && fingerprints.has(fingerprint({ ...body }))) {
      duplicates.push({
        row: candidate.row,
        reason: 'the same date, symbol, type, quantity and price is in the ledger',
      });
      continue;
    }
    let fxRate: string | undefined;
    try {
      if (!rates.has(currency)) rates.set(currency, await fxRateFor(deps.prices, currency, base, undefined));
      fxRate = body.fxRate ?? rates.get(currency);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      rejected.push({ row: candidate.row, reason: e.message, field: 'currency' });
      continue;
    }
    accepted.push({
      row: candidate.row,
      body,
      entry: ledgerEntryOf(body, importEntryId(importId, candidate.row), currency, fxRate),
    });
  }

  const allowNegativeCash = portfolio.allowNegativeCash === true;
  const rowOf = new Map(accepted.map((a) => [a.entry.entryId, a.row]));
  // Rows the engine refuses (selling more than held, …): all-or-nothing stops at the first, per-row drops each.
  let plan = await planBook(deps, record0, accepted, allowNegativeCash, rowOf, rejected, options.mode);

  const report = (status: ImportRecord['status'], acceptedCount: number): ImportRecord => ({
    importId,
    portfolioId,
    format: parsed.format,
    mode: options.mode,
    dryRun: options.dryRun,
    status,
    rowsRead: parsed.rowsRead,
    accepted: acceptedCount,
    duplicates: duplicates.length,
    rejected: rejected.length,
    skipped: parsed.skipped,
    rejectedRows: capped(rejected),
    duplicateRows: capped(duplicates),
    startedAt: resumed?.startedAt ?? nowIso,
    finishedAt: new Date(deps.now).toISOString(),
    durationMs: Math.round(performance.now() - t0),
    createdBy: deps.actor,
    ...(requestKey ? { requestKey } : {}),
    version: (resumed?.version ?? 0) + 1,
  });

  const refuseWhole = options.mode === 'all-or-nothing' && rejected.length > 0;
  if (options.dryRun || refuseWhole || plan.accepted.length === 0) {
    const status = options.dryRun ? 'dry-run' : refuseWhole ? 'rejected' : 'committed';
    const record = report(status, options.dryRun || !refuseWhole ? plan.accepted.length : 0);
    if (options.dryRun) return { record, status: 200 };
    await saveFinal(deps, record, resumed, requestKey);
    if (refuseWhole) throw importRejected(record);
    return { record, status: 201 };
  }

  // 1. Register the import as open on the book: from here its entries exist but do not count.
  let writing = report('writing', plan.accepted.length);
  if (!resumed || !record0.openImports.includes(importId)) await openImport(deps, portfolio, writing, resumed);
  else writing = { ...writing, version: resumed.version };
  // 2. The entries, in batches (not atomic, invisible until step 3).
  const stored = plan.accepted.map((a, i) =>
    storedEntryOf(portfolioId, a.entry, a.body, plan.effects[i], {
      createdAt: nowIso,
      createdBy: deps.actor,
      importId,
    }),
  );
  await deps.ledger.writeImportEntries(stored);
  // 3. One transaction commits them; if the book moved meanwhile, re-plan against it.
  const final = report('committed', plan.accepted.length);
  try {
    await withRetries(async () => {
      const current = await livePortfolio(deps.portfolios, portfolioId);
      const record = await deps.ledger.getBook(portfolioId);
      if (!record) throw conflict('WRITE_CONFLICT', 'the book is not there yet');
      const rejectedBefore = rejected.length;
      plan = await planBook(deps, record, plan.accepted, allowNegativeCash, rowOf, rejected, options.mode);
      if (rejected.length > rejectedBefore) throw new LedgerRuleError('INVALID_ENTRY', 'the book moved', '');
      await commitImport(
        deps,
        current,
        record,
        plan.book,
        stored,
        { ...final, version: writing.version + 1 },
        writing.version,
      );
    });
  } catch (e) {
    if (!(e instanceof LedgerRuleError)) throw e;
    await rollBack(deps, portfolioId, importId, stored);
    const record = report('rejected', 0);
    await saveFinal(deps, { ...record, version: writing.version + 1 }, writing, requestKey);
    throw importRejected(record);
  }
  return { record: { ...final, version: writing.version + 1 }, status: 201 };
}

async function planBook(
  deps: LedgerDeps,
  record: BookRecord,
  accepted: Accepted[],
  allowNegativeCash: boolean,
  rowOf: Map<string, number>,
  rejected: Rejection[],
  mode: ImportOptions['mode'],
): Promise<{ book: BookState; effects: EntryEffect[]; accepted: Accepted[] }> {
  let rows = accepted;
  for (;;) {
    try {
      const next = await bookWith(
        deps.ledger,
        record,
        rows.map((a) => a.entry),
        allowNegativeCash,
      );
      return { ...next, accepted: rows };
    } catch (e) {
      if (!(e instanceof LedgerRuleError)) throw e;
      const row = rowOf.get(e.entryId);
      if (row === undefined) throw e;
      rejected.push({ row, reason: `${e.code}: ${e.message}` });
      if (mode === 'all-or-nothing') return { book: record.book, effects: [], accepted: [] };
      rows = rows.filter((a) => a.entry.entryId !== e.entryId);
    }
  }
}

function importRejected(record: ImportRecord): AppError {
  return new AppError(
    422,
    'IMPORT_REJECTED',
    `Nothing was imported: ${record.rejected} of ${record.rowsRead} rows were refused (see rejectedRows); ` +
      'fix them and upload the file again, or import with mode=per-row',
    { extra: { importId: record.importId, rejectedRows: record.rejectedRows.slice(0, 100) } },
  );
}

/** Marks the import open on the book (its entries then stay out of every read) and records it as writing. */
async function openImport(deps: LedgerDeps, portfolio: Portfolio, writing: ImportRecord, resumed?: ImportRecord) {
  const nowIso = new Date(deps.now).toISOString();
  await withRetries(async () => {
    const current = await livePortfolio(deps.portfolios, portfolio.portfolioId);
    const record = (await deps.ledger.getBook(portfolio.portfolioId)) ?? openingBook(current, nowIso);
    if (record.openImports.length >= MAX_OPEN_IMPORTS) {
      throw conflict('IMPORT_IN_PROGRESS', 'Other imports into this portfolio are still being written; retry shortly');
    }
    const open = [...record.openImports.filter((id) => id !== writing.importId), writing.importId];
    const uow = deps.unitOfWork();
    deps.ledger.putBook(
      uow,
      { ...record, version: record.version + 1, openImports: open, updatedAt: nowIso },
      record.version === 0 ? undefined : record.version,
    );
    deps.ledger.putImport(uow, writing, resumed?.version);
    deps.scheduleImportRollback?.(uow, portfolio.portfolioId, writing.importId);
    await uow.commit();
  });
}

async function commitImport(
  deps: LedgerDeps,
  portfolio: Portfolio,
  record: BookRecord,
  book: BookState,
  stored: readonly StoredEntry[],
  final: ImportRecord,
  writingVersion: number,
) {
  const nowIso = new Date(deps.now).toISOString();
  const sources = Object.fromEntries(stored.flatMap((e) => (e.symbol ? [[e.symbol, e.source] as const] : [])));
  const open = record.openImports.filter((id) => id !== final.importId);
  const after = commitBook(deps, portfolio, record, book, nowIso, {
    stage: (uow) => {
      deps.ledger.putImport(uow, final, writingVersion);
      const { rejectedRows: _r, duplicateRows: _d, ...summary } = final;
      const resource = `portfolio/${portfolio.portfolioId}/import/${final.importId}`;
      uow.audit({ action: 'import.commit', resource, after: summary });
    },
    sources,
    openImports: open,
    flowDelta: flowsOf(stored.map((e) => e.effect)),
  });
  await after.commit();
}

async function rollBack(deps: LedgerDeps, portfolioId: string, importId: string, stored: readonly StoredEntry[]) {
  await forgetImport(
    deps,
    portfolioId,
    importId,
    stored.map((e) => ({ txId: e.entryId, tradeDate: e.tradeDate })),
  );
}

/** Removes an uncommitted import's entries, then its mark on the book (readers never saw them). */
async function forgetImport(
  deps: Pick<LedgerDeps, 'ledger' | 'unitOfWork' | 'now'>,
  portfolioId: string,
  importId: string,
  entries: ReadonlyArray<{ txId: string; tradeDate: string }>,
) {
  await deps.ledger.deleteImportEntries(portfolioId, entries);
  const nowIso = new Date(deps.now).toISOString();
  await withRetries(async () => {
    const record = await deps.ledger.getBook(portfolioId);
    if (!record?.openImports.includes(importId)) return;
    const uow = deps.unitOfWork();
    deps.ledger.putBook(
      uow,
      {
        ...record,
        version: record.version + 1,
        openImports: record.openImports.filter((id) => id !== importId),
        updatedAt: nowIso,
      },
      record.version,
    );
    await uow.commit();
  });
}

/** The sync log entry of an import that wrote no entries (rejected, or nothing new). */
async function saveFinal(
  deps: LedgerDeps,
  record: ImportRecord,
  previous: ImportRecord | undefined,
  requestKey?: string,
) {
  const uow = deps.unitOfWork();
  deps.ledger.putImport(uow, { ...record, ...(requestKey ? { requestKey } : {}) }, previous?.version);
  const { rejectedRows: _r, duplicateRows: _d, ...summary } = record;
  uow.audit({
    action: `import.${record.status}`,
    resource: `portfolio/${record.portfolioId}/import/${record.importId}`,
    after: summary,
  });
  await uow.commit();
}

/**
 * The rollback job: an import still `writing` (its Lambda died, nobody retried with the same key)
 * loses its entries and its mark on the book, and is recorded as rolled back. A committed or
 * finished import is left alone.
 */
export async function rollBackAbandonedImport(
  deps: Pick<LedgerDeps, 'ledger' | 'unitOfWork' | 'now'>,
  portfolioId: string,
  importId: string,
): Promise<'processed' | 'skipped'> {
  const record = await deps.ledger.getImport(portfolioId, importId);
  if (record?.status !== 'writing') return 'skipped';
  await forgetImport(deps, portfolioId, importId, await deps.ledger.importEntries(portfolioId, importId));
  const uow = deps.unitOfWork();
  const finishedAt = new Date(deps.now).toISOString();
  deps.ledger.putImport(
    uow,
    { ...record, status: 'rolled-back', accepted: 0, finishedAt, version: record.version + 1 },
    record.version,
  );
  uow.audit({
    action: 'import.rollback',
    resource: `portfolio/${portfolioId}/import/${importId}`,
    source: 'scheduler',
  });
  await uow.commit();
  return 'processed';
}
