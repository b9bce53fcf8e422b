import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRuntime, type CallOptions, type CallResult, type TestRuntime } from '../support/runtime.js';

// The manual journal over HTTP: notes beside the automatic fill entries in one list, visible only
// to their author; immutable notes corrected by new ones; trade logs with events, P&L and an
// analysis; the user's export and erasure. In t_demo's p_demo: u_operator writes, u_navigator is
// another member of the project (and places the order whose fill the journal records), u_acme is a
// user of another tenant. t_demo's market data is switched to `none`, so a quote is the last
// stored daily close, which the test uploads.

let t: TestRuntime;
// half a minute into the current minute (tokens are checked against real time too)
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
const TODAY = new Date(clock).toISOString().slice(0, 10);
const P = { 'X-Project-Id': 'p_demo' };
const ACME = { 'X-Project-Id': 'p_acme' };
const tokens: Record<string, string> = {};
let keySeq = 0;
const key = () => `journal-manual-${++keySeq}-${clock}`;
const nextMinute = () => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 30_000;
};

type Json = Record<string, unknown>;

function as(user: string, method: string, path: string, o: CallOptions = {}): Promise<CallResult> {
  return t.call(method, path, { token: tokens[user], ...o, headers: { ...P, ...o.headers } });
}

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** 400 (or the status given) naming the field */
function expectField(res: CallResult, path: string, status = 400) {
  expectStatus(res, status);
  expect(
    (res.body.errors ?? []).map((e) => e.path),
    res.text,
  ).toContain(path);
}

const note = (user: string, body: Json, o: { idem?: string; headers?: Record<string, string> } = {}) =>
  as(user, 'POST', '/v1/journal/entries', { body, headers: { 'Idempotency-Key': o.idem ?? key(), ...o.headers } });

async function noteId(user: string, body: Json): Promise<string> {
  const res = await note(user, body);
  expectStatus(res, 201);
  return String(res.body.entryId);
}

const ids = (res: CallResult) => (res.body.items ?? []).map((e) => String(e.entryId));

async function list(user: string, query = ''): Promise<string[]> {
  const res = await as(user, 'GET', `/v1/journal/entries?limit=200${query}`);
  expectStatus(res, 200);
  return ids(res);
}

const tradeLog = (user: string, body: Json) =>
  as(user, 'POST', '/v1/journal/trade-logs', { body, headers: { 'Idempotency-Key': key() } });
const event = (user: string, tradeLogId: string, body: Json, idem = key()) =>
  as(user, 'POST', `/v1/journal/trade-logs/${tradeLogId}/events`, { body, headers: { 'Idempotency-Key': idem } });

/** The order and its fill that the journal recorded (placed by u_navigator on a SIMULATION account). */
const trade = { orderId: '', fillId: '', fillEntryId: '' };

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  for (const user of ['u_operator', 'u_navigator', 'u_admin']) tokens[user] = await t.token(user, 't_demo', '6h');
  tokens.u_acme = await t.token('u_acme', 't_acme', '6h');
  const sys = await t.token('u_system', 't_system');
  const entry = '/v1/routing/t_demo/dev/market-data';
  const current = await t.call('GET', entry, { token: sys });
  const routing = await t.call('PUT', entry, {
    token: sys,
    headers: { 'If-Match': String(current.headers.get('etag')) },
    body: { kind: 'market-data', provider: 'none' },
  });
  expect(routing.status, routing.text).toBeLessThan(300);
  const upload = await as('u_admin', 'PUT', '/v1/market-data/candles/JRNL/1day', {
    body: { candles: [{ time: TODAY, open: '110', high: '110', low: '110', close: '110' }] },
  });
  expectStatus(upload, 200);

  const account = await as('u_navigator', 'POST', '/v1/accounts', {
    body: { name: 'Journal sim', venue: 'SIMULATION', simulation: { slippageBps: 0 } },
    headers: { 'Idempotency-Key': key() },
  });
  expectStatus(account, 201);
  const accountId = String(account.body.accountId);
  const mode = await as('u_navigator', 'PUT', `/v1/accounts/${accountId}/mode`, {
    body: { mode: 'AUTONOMOUS', reason: 'journal test' },
    headers: { 'If-Match': '"1"' },
  });
  expectStatus(mode, 200);
  const priced = await as('u_navigator', 'POST', `/v1/accounts/${accountId}/prices`, {
    body: { prices: [{ symbol: 'AAPL', price: '100' }] },
  });
  expectStatus(priced, 200);
  const order = await as('u_navigator', 'POST', '/v1/orders', {
    body: { accountId, symbol: 'AAPL', side: 'buy', quantity: '2' },
    headers: { 'Idempotency-Key': key() },
  });
  expectStatus(order, 201);
  expect(order.body.status).toBe('filled');
  trade.orderId = String(order.body.orderId);
  trade.fillId = String((order.body.fills as Json[])[0].fillId);
  const fills = await as('u_navigator', 'GET', `/v1/journal/entries?kind=fill&accountId=${accountId}`);
  expectStatus(fills, 200);
  expect(fills.body.items).toHaveLength(1);
  trade.fillEntryId = ids(fills)[0];
});
beforeEach(nextMinute);
afterAll(async () => {
  await t.stop();
});

describe('notes: create, read, list', () => {
  it('201 with Location; the note is the author’s, tags kept once; a replay answers the first response', async () => {
    const body = {
      title: 'Earnings setup',
      content: 'Waiting for the gap to fill before adding.',
      type: 'pre-trade',
      symbol: 'AAPL',
      confidence: 4,
      tags: ['earnings', 'gap', 'earnings'],
    };
    const made = await note('u_operator', body, { idem: 'journal-note-replay' });
    expectStatus(made, 201);
    const id = String(made.body.entryId);
    expect(id).toMatch(/^jn_[0-9A-Z]{26}$/);
    expect(made.headers.get('location')).toBe(`/v1/journal/entries/${id}`);
    expect(made.body).toMatchObject({ kind: 'note', author: 'u_operator', type: 'pre-trade', confidence: 4 });
    expect(made.body.tags).toEqual(['earnings', 'gap']);
    expect(made.body.searchText).toBeUndefined();
    const again = await note('u_operator', body, { idem: 'journal-note-replay' });
    expectStatus(again, 201);
    expect(again.body.entryId).toBe(id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expectStatus(await note('u_operator', { ...body, title: 'Other' }, { idem: 'journal-note-replay' }), 422);

    const read = await as('u_operator', 'GET', `/v1/journal/entries/${id}`);
    expectStatus(read, 200);
    expect(read.body).toMatchObject({ entryId: id, kind: 'note', title: 'Earnings setup', corrections: [] });
    expect(await list('u_operator', '&kind=note')).toContain(id);
  });

  it('names the order or the fill it is about; one that is not in the project is 422', async () => {
    const onOrder = await note('u_operator', {
      title: 'Why I bought',
      content: 'Trend',
      type: 'post-trade',
      tradeReference: trade.orderId,
    });
    expectStatus(onOrder, 201);
    expect(onOrder.body.tradeReference).toBe(trade.orderId);
    expectStatus(
      await note('u_operator', { title: 'Fill', content: 'At 100', type: 'post-trade', tradeReference: trade.fillId }),
      201,
    );
    const absentOrder = await note('u_operator', {
      title: 'x',
      content: 'y',
      type: 'plan',
      tradeReference: 'or_00000000000000000000000000',
    });
    expectField(absentOrder, 'body.tradeReference', 422);
    expect(absentOrder.body.code).toBe('TRADE_REFERENCE_NOT_FOUND');
    const absentFill = await note('u_operator', {
      title: 'x',
      content: 'y',
      type: 'plan',
      tradeReference: `${trade.fillId.slice(0, -4)}0009`,
    });
    expectStatus(absentFill, 422, 'TRADE_REFERENCE_NOT_FOUND');
    // the other tenant's project has no such order
    const acme = await note(
      'u_acme',
      { title: 'x', content: 'y', type: 'plan', tradeReference: trade.orderId },
      { headers: ACME },
    );
    expectStatus(acme, 422, 'TRADE_REFERENCE_NOT_FOUND');
  });

  it('invalid bodies are 400 naming the field', async () => {
    const ok = { title: 'Valid', content: 'Valid', type: 'lesson' };
    const cases: Array<[Json, string]> = [
      [{ content: 'no title', type: 'lesson' }, 'body.title'],
      [{ ...ok, title: 'x'.repeat(201) }, 'body.title'],
      [{ ...ok, content: '' }, 'body.content'],
      [{ ...ok, content: 'x'.repeat(20_001) }, 'body.content'],
      [{ ...ok, type: 'rant' }, 'body.type'],
      [{ ...ok, confidence: 6 }, 'body.confidence'],
      [{ ...ok, successRating: 2.5 }, 'body.successRating'],
      [{ ...ok, lessonsLearned: 'x'.repeat(5_001) }, 'body.lessonsLearned'],
      [{ ...ok, tags: ['Upper'] }, 'body.tags.0'],
      [{ ...ok, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'body.tags'],
      [{ ...ok, tags: ['x'.repeat(41)] }, 'body.tags.0'],
      [{ ...ok, tradeReference: 'order-1' }, 'body.tradeReference'],
      [{ ...ok, symbol: 'aapl' }, 'body.symbol'],
      [{ ...ok, corrects: 'jn_nope' }, 'body.corrects'],
      [{ ...ok, author: 'u_navigator' }, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await note('u_operator', body);
      expectStatus(res, 400);
      const paths = (res.body.errors ?? []).map((e) => e.path);
      expect(
        paths.some((p) => p === path || p.startsWith(`${path}.`) || (path === 'body' && p.startsWith('body'))),
        `${JSON.stringify(body).slice(0, 80)}: ${res.text}`,
      ).toBe(true);
    }
  });

  it('another member of the project, and a user of another tenant, can neither read nor list a note', async () => {
    const id = await noteId('u_operator', { title: 'Private thoughts', content: 'mine', type: 'observation' });
    expectStatus(await as('u_navigator', 'GET', `/v1/journal/entries/${id}`), 404, 'JOURNAL_ENTRY_NOT_FOUND');
    for (const query of ['', '&kind=note', '&q=private', '&symbol=AAPL']) {
      expect(await list('u_navigator', query)).not.toContain(id);
    }
    // the fill entries are the project's: every member sees them
    expect(await list('u_navigator', '&kind=fill')).toContain(trade.fillEntryId);
    expect(await list('u_operator', '&kind=fill')).toContain(trade.fillEntryId);
    const fill = await as('u_operator', 'GET', `/v1/journal/entries/${trade.fillEntryId}`);
    expectStatus(fill, 200);
    expect(fill.body).toMatchObject({ kind: 'fill', orderId: trade.orderId, fillId: trade.fillId, symbol: 'AAPL' });

    // another tenant: its own project knows no such entry; ours is not its project
    const acme = await as('u_acme', 'GET', `/v1/journal/entries/${id}`, { headers: ACME });
    expectStatus(acme, 404, 'JOURNAL_ENTRY_NOT_FOUND');
    const acmeList = await as('u_acme', 'GET', '/v1/journal/entries?limit=200', { headers: ACME });
    expectStatus(acmeList, 200);
    expect(ids(acmeList)).not.toContain(id);
    const foreign = await as('u_acme', 'GET', `/v1/journal/entries/${id}`);
    expect(foreign.status, foreign.text).toBeGreaterThanOrEqual(400);
    expect(foreign.text).not.toContain('Private thoughts');
  });

  it('notes are immutable: PATCH and DELETE are 405 naming GET', async () => {
    const id = await noteId('u_operator', { title: 'Fixed', content: 'forever', type: 'plan' });
    for (const method of ['PATCH', 'DELETE']) {
      const res = await as('u_operator', method, `/v1/journal/entries/${id}`, {
        body: method === 'PATCH' ? { title: 'changed' } : undefined,
        headers: { 'If-Match': '"1"' },
      });
      expectStatus(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.get('allow')).toBe('GET');
    }
    const read = await as('u_operator', 'GET', `/v1/journal/entries/${id}`);
    expect(read.body.title).toBe('Fixed');
  });
});

describe('notes: search and filters', () => {
  const made: Record<string, string> = {};
  let between = '';
  let after = '';

  beforeAll(async () => {
    made.title = await noteId('u_navigator', {
      title: 'Breakout on VOLUME',
      content: 'plain words',
      type: 'observation',
      symbol: 'MSFT',
      tags: ['momentum'],
    });
    clock += 60_000;
    between = new Date(clock - 1).toISOString();
    made.content = await noteId('u_navigator', {
      title: 'Quiet day',
      content: 'The Fed minutes moved everything',
      type: 'lesson',
      symbol: 'AAPL',
      tags: ['macro'],
    });
    clock += 60_000;
    after = new Date(clock - 1).toISOString();
    made.tag = await noteId('u_navigator', {
      title: 'Plan',
      content: 'nothing special',
      type: 'plan',
      tags: ['fomc-week', 'macro'],
    });
  });

  it('q matches the title, the content and the tags, in any case', async () => {
    expect(await list('u_navigator', '&q=volume')).toEqual([made.title]);
    expect(await list('u_navigator', '&q=FED%20MINUTES')).toEqual([made.content]);
    expect(await list('u_navigator', '&q=fomc')).toEqual([made.tag]);
    expect(await list('u_navigator', '&q=nothing-at-all')).toEqual([]);
    // never another author's: u_operator's notes say "earnings", the navigator finds none
    expect(await list('u_navigator', '&q=earnings')).toEqual([]);
  });

  it('tag, symbol, kind and from/to narrow the list, newest first', async () => {
    expect(await list('u_navigator', '&tag=macro')).toEqual([made.tag, made.content]);
    expect(await list('u_navigator', '&tag=momentum')).toEqual([made.title]);
    // symbol applies to notes and fills alike
    expect(await list('u_navigator', '&symbol=MSFT')).toEqual([made.title]);
    expect(await list('u_navigator', '&symbol=AAPL')).toEqual([made.content, trade.fillEntryId]);
    expect(await list('u_navigator', '&kind=note')).toEqual([made.tag, made.content, made.title]);
    expect(await list('u_navigator', '&kind=fill')).toEqual([trade.fillEntryId]);
    expect(await list('u_navigator', `&kind=note&from=${between}`)).toEqual([made.tag, made.content]);
    expect(await list('u_navigator', `&kind=note&from=${between}&to=${after}`)).toEqual([made.content]);
    expect(await list('u_navigator', `&kind=note&to=${between}`)).toEqual([made.title]);
    // source, account and strategy are the fills' own: no note has them
    expect(await list('u_navigator', '&source=SIMULATION')).toEqual([trade.fillEntryId]);
  });

  it('pages through the filtered list with a cursor', async () => {
    const first = await as('u_navigator', 'GET', '/v1/journal/entries?limit=2&kind=note');
    expectStatus(first, 200);
    expect(ids(first)).toEqual([made.tag, made.content]);
    const next = await as(
      'u_navigator',
      'GET',
      `/v1/journal/entries?limit=2&kind=note&cursor=${first.body.nextCursor}`,
    );
    expectStatus(next, 200);
    expect(ids(next)).toEqual([made.title]);
    expect(next.body.nextCursor).toBeNull();
  });

  it('a bad query is 400 naming it', async () => {
    for (const [query, path] of [
      ['kind=memo', 'query.kind'],
      ['tag=Not%20A%20Slug', 'query.tag'],
      ['from=yesterday', 'query.from'],
      [`from=${after}&to=${between}`, 'query.to'],
      ['q=', 'query.q'],
    ]) {
      expectField(await as('u_navigator', 'GET', `/v1/journal/entries?${query}`), path);
    }
  });
});

describe('notes: corrections', () => {
  it('A corrected by B corrected by C: each read shows what it corrects and what corrects it', async () => {
    const a = await noteId('u_operator', { title: 'Entry at 101', content: 'first take', type: 'post-trade' });
    const b = await noteId('u_operator', {
      title: 'Entry at 110',
      content: 'I misread',
      type: 'post-trade',
      corrects: a,
    });
    const c = await noteId('u_operator', { title: 'Entry at 111', content: 'again', type: 'post-trade', corrects: b });
    const readA = await as('u_operator', 'GET', `/v1/journal/entries/${a}`);
    expectStatus(readA, 200);
    expect(readA.body.corrects).toBeUndefined();
    expect((readA.body.corrections as Json[]).map((x) => x.entryId)).toEqual([b]);
    const readB = await as('u_operator', 'GET', `/v1/journal/entries/${b}`);
    expect(readB.body.corrects).toBe(a);
    expect((readB.body.corrections as Json[]).map((x) => x.entryId)).toEqual([c]);
    const readC = await as('u_operator', 'GET', `/v1/journal/entries/${c}`);
    expect(readC.body).toMatchObject({ corrects: b, corrections: [] });
    // a second correction of A: oldest first
    const d = await noteId('u_operator', {
      title: 'Entry at 101 after all',
      content: 'ok',
      type: 'lesson',
      corrects: a,
    });
    const again = await as('u_operator', 'GET', `/v1/journal/entries/${a}`);
    expect((again.body.corrections as Json[]).map((x) => x.entryId)).toEqual([b, d]);
    // the original is unchanged: a correction is a new entry
    expect(again.body.title).toBe('Entry at 101');
  });

  it("correcting someone else's note, or one that does not exist, is 404; a fill is not a note (422)", async () => {
    const theirs = await noteId('u_operator', { title: 'Mine', content: 'mine', type: 'plan' });
    const body = { title: 'Not yours', content: 'x', type: 'plan' };
    expectStatus(await note('u_navigator', { ...body, corrects: theirs }), 404, 'JOURNAL_ENTRY_NOT_FOUND');
    expectStatus(
      await note('u_navigator', { ...body, corrects: 'jn_00000000000000000000000000' }),
      404,
      'JOURNAL_ENTRY_NOT_FOUND',
    );
    const fill = await note('u_operator', { ...body, corrects: trade.fillEntryId });
    expectField(fill, 'body.corrects', 422);
    expect(fill.body.code).toBe('JOURNAL_ENTRY_NOT_CORRECTABLE');
    const read = await as('u_operator', 'GET', `/v1/journal/entries/${theirs}`);
    expect(read.body.corrections).toEqual([]);
  });
});

describe('trade logs', () => {
  const long = {
    symbol: 'AAPL',
    type: 'long',
    entryPrice: '100.25',
    entryDate: '2026-03-02',
    quantity: '3.5',
    target: '130.25',
    stop: '90.25',
    strategy: 'pullback to the 20-day',
    horizon: 'swing',
    conviction: 4,
    notes: 'Sized small',
  };

  it('201 with the risk-reward computed; without both levels it is null', async () => {
    const made = await tradeLog('u_operator', long);
    expectStatus(made, 201);
    const id = String(made.body.tradeLogId);
    expect(id).toMatch(/^tl_[0-9A-Z]{26}$/);
    expect(made.headers.get('location')).toBe(`/v1/journal/trade-logs/${id}`);
    expect(made.headers.get('etag')).toBe('"1"');
    expect(made.body).toMatchObject({ status: 'open', riskReward: '3.00', author: 'u_operator', events: [] });
    const short = await tradeLog('u_operator', {
      symbol: 'TSLA',
      type: 'short',
      entryPrice: '50',
      entryDate: '2026-03-02T14:30:00Z',
      quantity: '2',
      target: '40',
      stop: '53',
    });
    expectStatus(short, 201);
    expect(short.body.riskReward).toBe('3.33');
    const bare = await tradeLog('u_operator', { ...long, stop: undefined });
    expectStatus(bare, 201);
    expect(bare.body.riskReward).toBeNull();
  });

  it('levels on the wrong side of the entry are 422 naming the field; bad bodies are 400', async () => {
    const wrongStop = await tradeLog('u_operator', { ...long, stop: '101' });
    expectField(wrongStop, 'body.stop', 422);
    expect(wrongStop.body.code).toBe('TRADE_LOG_INVALID');
    expectField(await tradeLog('u_operator', { ...long, target: '100.25' }), 'body.target', 422);
    const short = { ...long, type: 'short', target: '90', stop: '110' };
    expectStatus(await tradeLog('u_operator', short), 201);
    expectField(await tradeLog('u_operator', { ...short, target: '120' }), 'body.target', 422);
    expectField(await tradeLog('u_operator', { ...short, stop: '95' }), 'body.stop', 422);
    for (const [body, path] of [
      [{ ...long, entryPrice: '0' }, 'body.entryPrice'],
      [{ ...long, entryPrice: 100 }, 'body.entryPrice'],
      [{ ...long, quantity: '-1' }, 'body.quantity'],
      [{ ...long, type: 'flat' }, 'body.type'],
      [{ ...long, conviction: 0 }, 'body.conviction'],
      [{ ...long, horizon: 'forever' }, 'body.horizon'],
      [{ ...long, entryDate: 'March' }, 'body.entryDate'],
      [{ ...long, symbol: undefined }, 'body.symbol'],
    ] as const) {
      expectField(await tradeLog('u_operator', body), path);
    }
  });

  it('events: adjust moves the levels, close records the realised P&L exactly; a second close is 409', async () => {
    const made = await tradeLog('u_operator', long);
    const id = String(made.body.tradeLogId);
    const adjusted = await event('u_operator', id, { type: 'adjust', stop: '95.25', note: 'Raised the stop' });
    expectStatus(adjusted, 201);
    expect(adjusted.headers.get('etag')).toBe('"2"');
    expect(adjusted.body).toMatchObject({ stop: '95.25', riskReward: '6.00', version: 2 });
    expect(adjusted.body.events).toEqual([
      expect.objectContaining({ seq: 1, type: 'adjust', stop: '95.25', note: 'Raised the stop' }),
    ]);
    expectField(await event('u_operator', id, { type: 'adjust', target: '99', note: 'x' }), 'body.target', 422);
    expectField(await event('u_operator', id, { type: 'adjust', note: '' }), 'body.note');
    expectField(await event('u_operator', id, { type: 'close', exitDate: '2026-03-20' }), 'body.exitPrice');
    expectField(await event('u_operator', id, { type: 'settle', note: 'x' }), 'body.type');
    expectField(
      await event('u_operator', id, { type: 'close', exitPrice: '105.1', exitDate: '2026-03-01' }),
      'body.exitDate',
      422,
    );

    const closed = await event('u_operator', id, {
      type: 'close',
      exitPrice: '105.1',
      exitDate: '2026-03-20',
      note: 'Target too far',
    });
    expectStatus(closed, 201);
    // (105.1 − 100.25) × 3.5, exactly
    expect(closed.body).toMatchObject({ status: 'closed', exitPrice: '105.1', realisedPnl: '16.975', version: 3 });
    expect((closed.body.events as Json[]).map((e) => [e.seq, e.type, e.realisedPnl])).toEqual([
      [1, 'adjust', undefined],
      [2, 'close', '16.975'],
    ]);
    const second = await event('u_operator', id, { type: 'close', exitPrice: '106', exitDate: '2026-03-21' });
    expectStatus(second, 409, 'TRADE_LOG_CLOSED');
    expectStatus(await event('u_operator', id, { type: 'adjust', stop: '99', note: 'late' }), 409, 'TRADE_LOG_CLOSED');
    const read = await as('u_operator', 'GET', `/v1/journal/trade-logs/${id}`);
    expectStatus(read, 200);
    expect(read.body).toMatchObject({ status: 'closed', realisedPnl: '16.975' });
    expect(read.body.unrealisedPnl).toBeUndefined();
    expect(read.body.events).toHaveLength(2);
  });

  it('a short closes with the P&L reversed; two concurrent closes: exactly one wins', async () => {
    const made = await tradeLog('u_operator', {
      symbol: 'TSLA',
      type: 'short',
      entryPrice: '50',
      entryDate: '2026-03-02',
      quantity: '2',
    });
    const id = String(made.body.tradeLogId);
    const [one, two] = await Promise.all([
      event('u_operator', id, { type: 'close', exitPrice: '47.5', exitDate: '2026-03-05' }),
      event('u_operator', id, { type: 'close', exitPrice: '52.5', exitDate: '2026-03-05' }),
    ]);
    expect([one.status, two.status].sort(), `${one.text} ${two.text}`).toEqual([201, 409]);
    const winner = one.status === 201 ? one : two;
    expect(winner.body.realisedPnl).toBe(winner.body.exitPrice === '47.5' ? '5' : '-5');
    const read = await as('u_operator', 'GET', `/v1/journal/trade-logs/${id}`);
    expect(read.body.events).toHaveLength(1);
    expect(read.body.realisedPnl).toBe(winner.body.realisedPnl);
  });

  it('an open log shows the latest quote and the unrealised P&L at it; none without a price', async () => {
    const priced = await tradeLog('u_operator', {
      symbol: 'JRNL',
      type: 'long',
      entryPrice: '100.5',
      entryDate: '2026-03-02',
      quantity: '2',
    });
    const read = await as('u_operator', 'GET', `/v1/journal/trade-logs/${String(priced.body.tradeLogId)}`);
    expectStatus(read, 200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body.quote).toMatchObject({ price: '110', asOf: `${TODAY}T00:00:00.000Z`, source: 'candle' });
    expect(read.body.unrealisedPnl).toBe('19');
    const short = await tradeLog('u_operator', {
      symbol: 'JRNL',
      type: 'short',
      entryPrice: '100',
      entryDate: '2026-03-02',
      quantity: '0.5',
    });
    const shortRead = await as('u_operator', 'GET', `/v1/journal/trade-logs/${String(short.body.tradeLogId)}`);
    expect(shortRead.body.unrealisedPnl).toBe('-5');
    const unpriced = await tradeLog('u_operator', {
      symbol: 'NOQT',
      type: 'long',
      entryPrice: '10',
      entryDate: '2026-03-02',
      quantity: '1',
    });
    const none = await as('u_operator', 'GET', `/v1/journal/trade-logs/${String(unpriced.body.tradeLogId)}`);
    expectStatus(none, 200);
    expect(none.body).toMatchObject({ quote: null, unrealisedPnl: null });
  });

  it("are their author's: another member gets 404 and lists none; status narrows the list", async () => {
    const made = await tradeLog('u_operator', long);
    const id = String(made.body.tradeLogId);
    for (const path of [`/v1/journal/trade-logs/${id}`, `/v1/journal/trade-logs/${id}/analysis`]) {
      expectStatus(await as('u_navigator', 'GET', path), 404, 'TRADE_LOG_NOT_FOUND');
    }
    expectStatus(
      await event('u_navigator', id, { type: 'adjust', stop: '95', note: 'not mine' }),
      404,
      'TRADE_LOG_NOT_FOUND',
    );
    expectStatus(
      await as('u_acme', 'GET', `/v1/journal/trade-logs/${id}`, { headers: ACME }),
      404,
      'TRADE_LOG_NOT_FOUND',
    );
    const theirs = await as('u_navigator', 'GET', '/v1/journal/trade-logs?limit=200');
    expectStatus(theirs, 200);
    expect(theirs.body.items).toEqual([]);
    const open = await as('u_operator', 'GET', '/v1/journal/trade-logs?limit=200&status=open');
    const closed = await as('u_operator', 'GET', '/v1/journal/trade-logs?limit=200&status=closed');
    const all = await as('u_operator', 'GET', '/v1/journal/trade-logs?limit=200');
    expect((open.body.items ?? []).every((l) => l.status === 'open')).toBe(true);
    expect((closed.body.items ?? []).every((l) => l.status === 'closed')).toBe(true);
    expect(closed.body.items?.length).toBeGreaterThanOrEqual(2);
    expect((open.body.items ?? []).map((l) => l.tradeLogId)).toContain(id);
    expect(all.body.items?.length).toBe((open.body.items?.length ?? 0) + (closed.body.items?.length ?? 0));
    // newest first
    expect(all.body.items?.[0].tradeLogId).toBe(id);
    expectField(await as('u_operator', 'GET', '/v1/journal/trade-logs?status=pending'), 'query.status');
  });

  it('analysis: version 0 before the first write; PUT needs If-Match (428 without, 412 stale)', async () => {
    const made = await tradeLog('u_operator', long);
    const path = `/v1/journal/trade-logs/${String(made.body.tradeLogId)}/analysis`;
    const empty = await as('u_operator', 'GET', path);
    expectStatus(empty, 200);
    expect(empty.headers.get('etag')).toBe('"0"');
    expect(empty.body).toEqual({ tradeLogId: made.body.tradeLogId, version: 0 });
    const body = { preTrade: 'Clean setup', emotionalState: 'calm', executionQuality: 8, riskManagement: 9 };
    expectStatus(await as('u_operator', 'PUT', path, { body }), 428, 'IF_MATCH_REQUIRED');
    const first = await as('u_operator', 'PUT', path, { body, headers: { 'If-Match': '"0"' } });
    expectStatus(first, 200);
    expect(first.headers.get('etag')).toBe('"1"');
    expect(first.body).toMatchObject({ ...body, version: 1 });
    expectStatus(
      await as('u_operator', 'PUT', path, { body, headers: { 'If-Match': '"0"' } }),
      412,
      'VERSION_MISMATCH',
    );
    const second = await as('u_operator', 'PUT', path, {
      body: { postTrade: 'Exited early', decisionQuality: 6 },
      headers: { 'If-Match': '"1"' },
    });
    expectStatus(second, 200);
    // a replacement: what is left out is gone
    expect(second.body).toMatchObject({ postTrade: 'Exited early', decisionQuality: 6, version: 2 });
    expect(second.body.preTrade).toBeUndefined();
    const read = await as('u_operator', 'GET', path);
    expect(read.body).toMatchObject({ postTrade: 'Exited early', version: 2 });
    for (const [bad, field] of [
      [{ emotionalState: 'bored' }, 'body.emotionalState'],
      [{ executionQuality: 11 }, 'body.executionQuality'],
      [{ riskManagement: 0 }, 'body.riskManagement'],
      [{ postTrade: 'x'.repeat(5_001) }, 'body.postTrade'],
    ] as const) {
      expectField(await as('u_operator', 'PUT', path, { body: bad, headers: { 'If-Match': '"2"' } }), field);
    }
    expectStatus(
      await as('u_navigator', 'PUT', path, { body, headers: { 'If-Match': '"2"' } }),
      404,
      'TRADE_LOG_NOT_FOUND',
    );
  });
});

describe('personal data: export and erasure', () => {
  const held = { noteId: '', tradeLogId: '' };

  it("the export carries the user's notes and trade logs (events and analysis), nobody else's", async () => {
    held.noteId = await noteId('u_operator', { title: 'Export me', content: 'my words', type: 'lesson' });
    const made = await tradeLog('u_operator', {
      symbol: 'AAPL',
      type: 'long',
      entryPrice: '10',
      entryDate: TODAY,
      quantity: '1',
    });
    held.tradeLogId = String(made.body.tradeLogId);
    expectStatus(await event('u_operator', held.tradeLogId, { type: 'adjust', quantity: '2', note: 'added' }), 201);
    const analysed = await as('u_operator', 'PUT', `/v1/journal/trade-logs/${held.tradeLogId}/analysis`, {
      body: { preTrade: 'export analysis' },
      headers: { 'If-Match': '"0"' },
    });
    expectStatus(analysed, 200);

    const res = await t.call('GET', '/v1/me/export', { token: await t.token('u_operator', 't_demo') });
    expectStatus(res, 200);
    const sections = res.body.sections as Record<string, Json>;
    expect(Object.keys(sections)).toContain('journal');
    const journal = sections.journal as { notes: Json[]; tradeLogs: Array<Json & { events: Json[] }> };
    expect(journal.notes.every((n) => n.author === 'u_operator')).toBe(true);
    expect(journal.notes.map((n) => n.entryId)).toContain(held.noteId);
    expect(journal.notes.find((n) => n.entryId === held.noteId)).toMatchObject({ content: 'my words' });
    const log = journal.tradeLogs.find((l) => l.tradeLogId === held.tradeLogId);
    expect(log).toMatchObject({ quantity: '2', analysis: { preTrade: 'export analysis', version: 1 } });
    expect(log?.events).toEqual([expect.objectContaining({ seq: 1, type: 'adjust', quantity: '2' })]);
    expect(res.text).not.toContain('Breakout on VOLUME');
    // no fills: they are the project's record, not the person's
    expect(res.text).not.toContain(trade.fillEntryId);
  });

  it("erasure deletes the user's notes, corrections, trade logs, events and analyses; others' stay", async () => {
    const before = await heldBy('u_operator');
    expect(before.length).toBeGreaterThan(10);
    const res = await t.call('DELETE', '/v1/me', {
      token: await t.token('u_operator', 't_demo'),
      headers: { 'Idempotency-Key': 'journal-erase-operator' },
    });
    expectStatus(res, 200);
    const erased = (res.body.erased as Record<string, Record<string, number>>).journal;
    expect(erased.notes).toBeGreaterThanOrEqual(10);
    expect(erased.corrections).toBe(3);
    expect(erased.tradeLogs).toBeGreaterThanOrEqual(8);
    expect(erased.events).toBeGreaterThanOrEqual(4);
    expect(erased.analyses).toBe(2);
    expect(Object.values(erased).reduce((a, b) => a + b, 0)).toBe(before.length);
    expect(await heldBy('u_operator')).toEqual([]);
    // the navigator's notes and the fill entries are untouched
    expect(await list('u_navigator', '&kind=note')).toHaveLength(3);
    expect(await list('u_navigator', '&kind=fill')).toEqual([trade.fillEntryId]);
    const tombstone = JSON.stringify(res.body);
    expect(tombstone).not.toContain('Export me');
  });
});

/** Every item of the pooled table written by a user: their notes, links, logs, events and analyses. */
async function heldBy(user: string): Promise<Json[]> {
  const out: Json[] = [];
  let start: Json | undefined;
  do {
    const res = await t.rt.platform.db.send(
      new ScanCommand({ TableName: t.rt.tables.pooled, ExclusiveStartKey: start }),
    );
    for (const item of (res.Items ?? []) as Json[]) {
      const indexed = String(item.GSI1PK ?? '').endsWith(`#JOURNALAUTHOR#${user}`);
      const mine = item.author === user || String(item.PK).endsWith(`#TRADELOGS#${user}`);
      if (indexed || mine) out.push(item);
    }
    start = res.LastEvaluatedKey as Json | undefined;
  } while (start);
  return out;
}
