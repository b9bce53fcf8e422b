import { type Backend, dataTableOf } from '@ballast/platform/http/handler.js';
import { DynamoJournalAuthorIndex } from './journal-store.dynamo.js';

/**
 * What the manual journal holds about a user, for the profile's export (GET /v1/me/export) and
 * erasure (DELETE /v1/me): their notes and trade logs (with events and analyses) in every project
 * of the tenant, found through the author index. The shapes match profile's `ExportSection` and
 * `ErasureStep` by structure: this context names no profile concept (profile → trading's index).
 * The automatic journal (fills) is the project's record, not a person's: it stays.
 */

interface Subject {
  tenantId: string;
  userId: string;
}

const indexOf = (backend: Backend, subject: Subject) =>
  new DynamoJournalAuthorIndex(backend.db, dataTableOf(backend), subject.tenantId);

/**
 * The `journal` section: the user's notes (as written, newest last within a project) and trade
 * logs, each with its events (in order) and its analysis (null if never written).
 */
export async function collectJournal(backend: Backend, subject: Subject) {
  const held = await indexOf(backend, subject).collect(subject.userId);
  const notes = held.notes.map(({ searchText: _search, ...note }) => note);
  const tradeLogs = held.tradeLogs.map(({ eventCount: _count, ...log }) => ({
    ...log,
    events: held.events
      .filter((e) => e.tradeLogId === log.tradeLogId)
      .map(({ tradeLogId: _log, by: _by, ...event }) => event),
    analysis: held.analyses.find((a) => a.tradeLogId === log.tradeLogId) ?? null,
  }));
  return { notes, tradeLogs };
}

/** The export section this context contributes (matches profile's `ExportSection`). */
export const journalExportSection = { name: 'journal', collect: collectJournal } as const;

/**
 * Erases the user's notes (and the links of their corrections), trade logs, events and analyses in
 * every project of the tenant: deletes, harmless to repeat, so a run cut short by the budget
 * (`done: false`) is finished by running it again. Counts only: the caller's tombstone holds them.
 */
export async function eraseJournalOf(
  backend: Backend,
  subject: Subject,
  budget: { until: number; now(): number },
): Promise<{ done: boolean; erased: Record<string, number> }> {
  return indexOf(backend, subject).erase(subject.userId, () => budget.now() >= budget.until);
}

/** The erasure step this context contributes (matches profile's `ErasureStep`). */
export const journalErasureStep = { name: 'journal', erase: eraseJournalOf } as const;
