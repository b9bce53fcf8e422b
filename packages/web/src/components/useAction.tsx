import { type ReactNode, useState } from 'react';
import { ProblemView } from './ProblemView';

/**
 * A form's busy flag, its last error and a status line for screen readers: `run(working, work)`
 * shows `working` while `work` runs, then the text it answers, or the Problem Details it threw.
 * `recover`, when given, runs after a failure and answers the status line to show beside it.
 */
export function useAction(recover?: (error: unknown) => Promise<string>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const run = async (working: string, work: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setStatus(working);
    try {
      setStatus(await work());
    } catch (e) {
      setError(e);
      setStatus(recover ? await recover(e) : '');
    } finally {
      setBusy(false);
    }
  };
  const feedback: ReactNode = (
    <div className="form-feedback">
      <ProblemView error={error} />
      <p aria-live="polite" className="status-line">
        {status}
      </p>
    </div>
  );
  return { busy, run, feedback };
}
