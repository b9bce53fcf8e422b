import { messageOf, ProblemError } from '../api';

/** An error as the user should read it: the API's Problem Details `detail`, its code and the fields. */
export function ProblemView({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const problem = error instanceof ProblemError ? error.problem : undefined;
  const errors = (problem as { errors?: Array<{ path?: string; message?: string }> } | undefined)?.errors;
  return (
    <div role="alert" className="problem">
      <strong>{messageOf(error)}</strong>
      {problem?.code ? <span className="problem-code"> ({problem.code})</span> : null}
      {errors?.length ? (
        <ul>
          {errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
