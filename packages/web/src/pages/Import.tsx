import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'wouter';
import { api, type Body, idempotencyKey, unwrap } from '../api';
import { Figures } from '../components/Figures';
import { PortfolioNav } from '../components/PortfolioNav';
import { ProblemView } from '../components/ProblemView';

type Report = Body<'imports.get'>;
type Format = 'auto' | 'generic' | 'ibkr-activity' | 'ibkr-flex' | 'kraken-ledger' | 'kraken-trades';
type Mode = 'all-or-nothing' | 'per-row';
const FORMATS: Format[] = ['auto', 'generic', 'ibkr-activity', 'ibkr-flex', 'kraken-ledger', 'kraken-trades'];

/** The per-row report of a dry run or a commit: what would be (or was) booked, and why each other row was not. */
function ImportReport({ report }: { report: Report }) {
  const figures: Array<[string, number]> = [
    ['Rows read', report.rowsRead],
    [report.dryRun ? 'Would be booked' : 'Booked', report.accepted],
    ['Duplicates', report.duplicates],
    ['Rejected', report.rejected],
    ['Skipped', report.skipped],
  ];
  const rows = [
    ...report.rejectedRows.map((r) => ({ ...r, outcome: 'rejected' })),
    ...report.duplicateRows.map((r) => ({ ...r, field: undefined, outcome: 'duplicate' })),
  ].sort((a, b) => a.row - b.row);
  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">{report.dryRun ? 'Preview (nothing booked yet)' : `Import ${report.status}`}</h2>
      <p>
        Format <strong>{report.format}</strong>, mode {report.mode}, status{' '}
        <span className="badge">{report.status}</span>
      </p>
      <Figures items={figures} />
      <table>
        <caption>Rows not booked</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Outcome</th>
            <th scope="col">Field</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.outcome}-${r.row}`}>
              <td className="num">{r.row}</td>
              <td>{r.outcome}</td>
              <td>{r.field ?? '—'}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
          {rows.length === 0 ? (
            <tr>
              <td colSpan={4}>Every row {report.dryRun ? 'can be' : 'was'} booked.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}

/**
 * Upload a broker's CSV: first a dry run (the API parses and checks every row and books nothing), then,
 * once the report reads right, the same file committed under an Idempotency-Key of its own.
 */
export function ImportPage() {
  const { portfolioId = '' } = useParams<{ portfolioId: string }>();
  const [file, setFile] = useState<File>();
  const [format, setFormat] = useState<Format>('auto');
  const [mode, setMode] = useState<Mode>('all-or-nothing');
  const [preview, setPreview] = useState<Report>();
  const [committed, setCommitted] = useState<Report>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // the commit's key is fixed once a preview exists: a retry of that commit books the file once
  const [commitKey, setCommitKey] = useState(idempotencyKey);

  async function send(dryRun: boolean): Promise<Report> {
    if (!file) throw new Error('Choose a CSV file first');
    const csv = await file.text();
    return unwrap(
      await api.POST('/v1/portfolios/{portfolioId}/imports', {
        params: {
          path: { portfolioId },
          query: { format, mode, dryRun: dryRun ? 'true' : 'false' },
          header: { 'Idempotency-Key': dryRun ? idempotencyKey() : commitKey },
        },
        body: csv,
        headers: { 'Content-Type': 'text/csv' },
        // the body is the file's text as it is, not JSON
        bodySerializer: (body: string) => body,
      }),
    );
  }

  async function run(dryRun: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      const report = await send(dryRun);
      if (dryRun) {
        setPreview(report);
        setCommitted(undefined);
        setCommitKey(idempotencyKey());
      } else {
        setCommitted(report);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function reset() {
    setPreview(undefined);
    setCommitted(undefined);
    setError(undefined);
  }

  return (
    <section>
      <PortfolioNav portfolioId={portfolioId} />
      <h1>Import transactions</h1>
      <p>
        Generic CSV, Interactive Brokers activity or Flex statements, Kraken ledgers and trades. Sample files are in the
        repository under <code>docs/samples/imports</code>.
      </p>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void run(true);
        }}
      >
        <label>
          CSV file
          <input
            type="file"
            accept=".csv,text/csv"
            required
            onChange={(e) => {
              setFile(e.target.files?.[0]);
              reset();
            }}
          />
        </label>
        <label>
          Format
          <select
            value={format}
            onChange={(e) => {
              setFormat(e.target.value as Format);
              reset();
            }}
          >
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {f === 'auto' ? 'Detect from the header' : f}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>When a row is bad</legend>
          <label className="choice">
            <input
              type="radio"
              name="mode"
              checked={mode === 'all-or-nothing'}
              onChange={() => {
                setMode('all-or-nothing');
                reset();
              }}
            />
            Book nothing (all or nothing)
          </label>
          <label className="choice">
            <input
              type="radio"
              name="mode"
              checked={mode === 'per-row'}
              onChange={() => {
                setMode('per-row');
                reset();
              }}
            />
            Book the good rows (per row)
          </label>
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={busy || !file}>
            Check the file
          </button>
          {preview && !committed ? (
            <button type="button" disabled={busy || preview.accepted === 0} onClick={() => void run(false)}>
              Import {preview.accepted} rows
            </button>
          ) : null}
        </div>
      </form>
      <p aria-live="polite">{busy ? 'Working…' : ''}</p>
      <ProblemView error={error} />
      {committed ? (
        <>
          <p className="notice">
            {committed.accepted} rows booked. <Link href={`/portfolios/${portfolioId}`}>See the holdings</Link>
          </p>
          <ImportReport report={committed} />
        </>
      ) : preview ? (
        <ImportReport report={preview} />
      ) : null}
    </section>
  );
}
