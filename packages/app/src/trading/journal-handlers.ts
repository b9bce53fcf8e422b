import type { RequestContext } from '@ballast/platform/context/types.js';
import { AppError, forbidden, notFound } from '@ballast/platform/errors.js';
import { newJournalId, orderIdOfFill } from './ids.js';
import type { routes as journalRoutes } from './journal-routes.js';
import type { AnyEntry, JournalNote } from './journal-store.js';
import type { TradingHandler } from './ports.js';
import type { routes } from './routes.js';
import type { TradingStore } from './store.js';

type R = typeof journalRoutes;
type Desk = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Who writes a note or a trade log: a user's verified id. They are a person's personal data (its
 * export and erasure are the person's), so an API key — a project's machine credential — writes none.
 */
export function authorOf(ctx: RequestContext): string {
  const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : undefined;
  if (!userId) {
    throw forbidden('API_KEY_SCOPE', "Notes and trade logs are a user's: call with a user's token");
  }
  return userId;
}

export const entryNotFound = (entryId: string) => notFound('JOURNAL_ENTRY_NOT_FOUND', `No journal entry ${entryId}`);

type Corrections = Array<{ entryId: string; at: string }>;

function noteView(note: JournalNote, corrections?: Corrections) {
  const { projectId: _project, searchText: _search, ...shown } = note;
  return corrections ? { ...shown, corrections } : shown;
}

const entryView = (entry: AnyEntry) => (entry.kind === 'note' ? noteView(entry) : entry);

/** A note is its author's: anyone else's read of it is the same 404 as an id that names nothing. */
function visible(entry: AnyEntry | undefined, viewer: string): AnyEntry | undefined {
  return entry && (entry.kind !== 'note' || entry.author === viewer) ? entry : undefined;
}

export const listEntries: TradingHandler<Desk['journal']> = async ({ query }, h) => {
  const page = await h.ports.journal.listEntries({
    viewer: h.ctx.principal.id,
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.q ? { q: query.q.toLowerCase() } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    ...(query.from ? { from: iso(Date.parse(query.from)) } : {}),
    ...(query.to ? { to: iso(Date.parse(query.to)) } : {}),
    ...(query.source ? { source: query.source } : {}),
    ...(query.accountId ? { accountId: query.accountId } : {}),
    ...(query.symbol ? { symbol: query.symbol } : {}),
    ...(query.strategy ? { strategy: query.strategy } : {}),
  });
  return { status: 200, body: { items: page.items.map(entryView), nextCursor: page.nextCursor } };
};

export const getEntry: TradingHandler<R['getEntry']> = async ({ params }, h) => {
  const entry = visible(await h.ports.journal.getEntry(params.entryId), h.ctx.principal.id);
  if (!entry) throw entryNotFound(params.entryId);
  if (entry.kind !== 'note') return { status: 200, body: entry };
  return { status: 200, body: noteView(entry, await h.ports.journal.corrections(entry.entryId)) };
};

/** The order or fill a note names must be one of this project's. */
async function checkTradeReference(store: TradingStore, reference: string): Promise<void> {
  const isFill = reference.startsWith('fl_');
  const order = await store.getOrder(isFill ? orderIdOfFill(reference) : reference);
  const found = order && (!isFill || order.fills.some((f) => f.fillId === reference));
  if (!found) {
    throw new AppError(
      422,
      'TRADE_REFERENCE_NOT_FOUND',
      `No ${isFill ? 'fill' : 'order'} ${reference} in this project`,
      { errors: [{ path: 'body.tradeReference', message: `names no ${isFill ? 'fill' : 'order'} of this project` }] },
    );
  }
}

export const createNote: TradingHandler<R['createNote']> = async ({ body }, h) => {
  const author = authorOf(h.ctx);
  if (body.tradeReference) await checkTradeReference(h.ports.trading, body.tradeReference);
  if (body.corrects) {
    const original = visible(await h.ports.journal.getEntry(body.corrects), author);
    if (!original) throw entryNotFound(body.corrects);
    if (original.kind !== 'note') {
      throw new AppError(422, 'JOURNAL_ENTRY_NOT_CORRECTABLE', 'Only a note can be corrected: fills are the record', {
        errors: [{ path: 'body.corrects', message: 'names a fill, not a note' }],
      });
    }
  }
  const tags = [...new Set(body.tags ?? [])];
  const note: JournalNote = {
    kind: 'note',
    entryId: newJournalId(h.now),
    projectId: h.ctx.projectId ?? '',
    author,
    title: body.title,
    content: body.content,
    type: body.type,
    ...(body.tradeReference ? { tradeReference: body.tradeReference } : {}),
    ...(body.symbol ? { symbol: body.symbol } : {}),
    ...(body.confidence !== undefined ? { confidence: body.confidence } : {}),
    ...(body.successRating !== undefined ? { successRating: body.successRating } : {}),
    ...(body.lessonsLearned ? { lessonsLearned: body.lessonsLearned } : {}),
    tags,
    ...(body.corrects ? { corrects: body.corrects } : {}),
    at: iso(h.now),
    searchText: [body.title, body.content, ...tags].join('\n').toLowerCase(),
  };
  const uow = h.unitOfWork();
  h.ports.journal.appendNote(uow, note);
  // ids only: the audit log outlives an erasure, so it holds nothing the note said
  uow.audit({
    action: 'journal.note.create',
    resource: `journal/${note.entryId}`,
    after: { entryId: note.entryId, type: note.type, ...(note.corrects ? { corrects: note.corrects } : {}) },
  });
  await uow.commit();
  return {
    status: 201,
    body: noteView(note),
    headers: { Location: `/v1/journal/entries/${note.entryId}` },
  };
};
