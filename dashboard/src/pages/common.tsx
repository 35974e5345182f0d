import { ApiError } from '../api';

/** An API refusal as the API words it (its message and code). */
export function Problem(props: { error: ApiError | null }) {
  if (!props.error) return null;
  const { status, code, message } = props.error;
  return (
    <p class="error" role="alert">
      {message} {status > 0 && <span class="muted">({status} {code})</span>}
    </p>
  );
}

export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status}`}>{props.status}</span>;
}
