import { useEffect, useRef, useState } from 'preact/hooks';
import { answer, api, ApiError, calling, save } from '../api';
import { dateTime, duration, number } from '../format';
import { usePoll } from '../poll';
import { Link } from '../router';
import { Problem, StatusBadge } from './common';

const LIVE_REFRESH_MS = 5_000;

interface Pending {
  title: string;
  detail: string;
  confirm: string;
  run: () => Promise<string>;
}

/** A modal confirmation (the native <dialog>: focus kept inside, Escape cancels). */
function Confirm(props: { pending: Pending | null; onClose: () => void; onDone: (message: string) => void; onError: (error: ApiError) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (props.pending && !el.open) el.showModal();
    if (!props.pending && el.open) el.close();
  }, [props.pending]);

  const confirm = async () => {
    if (!props.pending) return;
    setBusy(true);
    try {
      props.onDone(await props.pending.run());
    } catch (caught) {
      props.onError(caught instanceof ApiError ? caught : new ApiError(0, 'NETWORK', String(caught)));
    } finally {
      setBusy(false);
      props.onClose();
    }
  };

  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" aria-describedby="confirm-detail" onClose={props.onClose}>
      <h2 id="confirm-title">{props.pending?.title}</h2>
      <p id="confirm-detail">{props.pending?.detail}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={confirm} disabled={busy}>
          {busy ? 'Working…' : props.pending?.confirm}
        </button>
      </div>
    </dialog>
  );
}

/** What the call's lobby settings say, in words. */
function lobbySetting(call: { lobby: boolean; wait_for_host: boolean }): string {
  if (call.lobby && call.wait_for_host) return 'on, and waits for the host';
  if (call.lobby) return 'on';
  return call.wait_for_host ? 'waits for the host' : 'off';
}

/** One call: the admin details (and how many wait in its lobby), refreshed every 5 s while it is live, with End call, Remove and Export CSV. */
export function CallPage(props: { callId: number }) {
  const { callId } = props;
  const [live, setLive] = useState(true);
  const details = usePoll(() => answer(calling.getCallDetails({ client: api, path: { callId } })), `details-${callId}`, live ? LIVE_REFRESH_MS : null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [result, setResult] = useState('');
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const status = details.data?.call.status;
  // The lobby (issue 24): how many wait at the door of a live call that keeps one.
  const gated = Boolean(details.data && (details.data.call.lobby || details.data.call.wait_for_host) && status !== 'ended');
  const lobby = usePoll(
    () => (gated ? answer(calling.listLobby({ client: api, path: { callId } })) : Promise.resolve(null)),
    `lobby-${callId}-${gated}`,
    gated && live ? LIVE_REFRESH_MS : null,
  );
  // A stage's raised hands, refreshed with the details while it is live.
  const isStage = details.data?.call.mode === 'stage';
  const hands = usePoll(
    () => (isStage ? answer(calling.listHands({ client: api, path: { callId }, query: { limit: 100 } })) : Promise.resolve(null)),
    `hands-${callId}-${isStage}`,
    live && isStage ? LIVE_REFRESH_MS : null,
  );
  useEffect(() => {
    if (status) setLive(status !== 'ended');
  }, [status]);
  // No such call (or a bad id): nothing to refresh.
  useEffect(() => {
    if (details.error && (details.error.status === 404 || details.error.status === 400)) setLive(false);
  }, [details.error]);

  const done = (message: string) => {
    setActionError(null);
    setResult(message);
    details.reload();
    hands.reload();
  };
  const failed = (error: ApiError) => {
    setResult('');
    setActionError(error);
  };

  /** Asks first; the previous answer is cleared when the new action starts. */
  const ask = (action: Pending) =>
    setPending({
      ...action,
      run: () => {
        setResult('');
        setActionError(null);
        return action.run();
      },
    });
  const endCall = () =>
    ask({
      title: `End call #${callId}?`,
      detail: 'Everyone is disconnected now, and nobody can join again or get a token for it.',
      confirm: 'End call',
      run: async () => {
        const ended = await answer(calling.endCallAsAdmin({ client: api, path: { callId } }));
        return `${ended.message}. Agora kick: ${ended.agoraKick}.`;
      },
    });
  const remove = (userId: number, oto: string) =>
    ask({
      title: `Remove ${oto}?`,
      detail: `${oto} (user ${userId}) leaves call #${callId} now and cannot rejoin it or get a token for it.`,
      confirm: 'Remove',
      run: async () => {
        const removed = await answer(calling.removeParticipantAsAdmin({ client: api, path: { callId, userId } }));
        return `${oto}: ${removed.message}. Agora kick: ${removed.agoraKick}.`;
      },
    });
  const exportCsv = async () => {
    setResult('');
    try {
      const name = await save(calling.exportSessionsCsv({ client: api, query: { callId }, parseAs: 'blob' }), `call-${callId}-sessions.csv`);
      done(`Saved ${name}.`);
    } catch (caught) {
      failed(caught instanceof ApiError ? caught : new ApiError(0, 'NETWORK', String(caught)));
    }
  };

  const data = details.data;
  const call = data?.call;
  // The details name members by OTO# in their sessions; the creator's is there when they joined.
  const creatorOto = data?.participants.find((p) => p.user_id === call?.creator_id)?.oto_number;
  // On a stage: who is in the call now, speakers and listeners (one open session each).
  const inCall = data?.participants.filter((p) => p.left_at === null) ?? [];
  const speakersIn = inCall.filter((p) => p.stage_role === 'speaker').length;
  return (
    <main>
      <p>
        <Link href="/calls">← All calls</Link>
      </p>
      <h1>
        Call #{callId}
        {call ? `: ${call.title}` : ''} {call && <StatusBadge status={call.status} />}
      </h1>
      <Problem error={details.error} />
      {call && data && (
        <>
          <dl class="facts">
            <div>
              <dt>Channel</dt>
              <dd>
                <code>{call.channel_name}</code>
              </dd>
            </div>
            <div>
              <dt>Creator</dt>
              <dd>
                {creatorOto && <code>{creatorOto}</code>} user {call.creator_id}
              </dd>
            </div>
            <div>
              <dt>Visibility</dt>
              <dd>{call.is_public ? 'public' : 'private'}</dd>
            </div>
            <div>
              <dt>Lobby</dt>
              <dd>{lobbySetting(call)}</dd>
              <dt>Mode</dt>
              <dd data-fact="mode">{call.mode === 'stage' ? `stage: ${number(call.speaker_count)} of ${number(call.max_speakers)} speakers` : 'conference'}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{dateTime(call.created_at)}</dd>
            </div>
            <div>
              <dt>Ended</dt>
              <dd>{call.ended_at ? `${dateTime(call.ended_at)}${call.ended_by ? ` by ${call.ended_by}` : ''}` : '—'}</dd>
            </div>
          </dl>
          <div class="actions" role="group" aria-label="Call actions">
            <button type="button" class="danger" onClick={endCall} disabled={call.status === 'ended'}>
              End call
            </button>
            <button type="button" class="secondary" onClick={exportCsv}>
              Export CSV
            </button>
            {live && <span class="muted">Refreshed every 5 s while the call is live.</span>}
          </div>
          {result && (
            <p class="success" role="status" data-result>
              {result}
            </p>
          )}
          <Problem error={actionError} />
          <ul class="tiles">
            <li class="tile">
              <span class="tile-label">Participants</span>
              <span class="tile-value">{number(data.stats.total_participants)}</span>
            </li>
            <li class="tile">
              <span class="tile-label">Peak at once</span>
              <span class="tile-value">{number(data.stats.peak_participants)}</span>
            </li>
            <li class="tile">
              <span class="tile-label">In the lobby</span>
              <span class="tile-value" data-tile="lobby">
                {gated ? (lobby.data ? number(lobby.data.waiting.length) : '…') : '—'}
              </span>
            </li>
            <li class="tile">
              <span class="tile-label">Duration</span>
              <span class="tile-value">{duration(data.stats.total_duration_seconds)}</span>
            </li>
            <li class="tile">
              <span class="tile-label">Audio minutes</span>
              <span class="tile-value">{number(data.stats.audio_minutes_consumed, 1)}</span>
            </li>
            <li class="tile">
              <span class="tile-label">Video minutes</span>
              <span class="tile-value">{number(data.stats.video_minutes_consumed, 1)}</span>
            </li>
            {isStage && (
              <>
                <li class="tile">
                  <span class="tile-label">Speakers now</span>
                  <span class="tile-value" data-tile="speakers">
                    {number(speakersIn)}
                  </span>
                </li>
                <li class="tile">
                  <span class="tile-label">Listeners now</span>
                  <span class="tile-value" data-tile="listeners">
                    {number(inCall.length - speakersIn)}
                  </span>
                </li>
                <li class="tile">
                  <span class="tile-label">Raised hands</span>
                  <span class="tile-value" data-tile="hands">
                    {hands.data ? number(hands.data.total) : '…'}
                  </span>
                </li>
              </>
            )}
          </ul>
          {isStage && (
            <>
              <h2>Raised hands</h2>
              <Problem error={hands.error} />
              <div class="table-wrap">
                <table class="hands">
                  <thead>
                    <tr>
                      <th scope="col">OTO#</th>
                      <th scope="col">Raised</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(hands.data?.hands ?? []).map((hand) => (
                      <tr key={hand.oto_number} data-hand={hand.oto_number}>
                        <td>
                          <code>{hand.oto_number}</code>
                        </td>
                        <td>{dateTime(hand.raised_at)}</td>
                      </tr>
                    ))}
                    {hands.data && hands.data.hands.length === 0 && (
                      <tr>
                        <td colSpan={2} class="muted">
                          No hand is raised.
                        </td>
                      </tr>
                    )}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <h2>Participation sessions</h2>
          <div class="table-wrap">
            <table class="participants">
              <thead>
                <tr>
                  <th scope="col">OTO#</th>
                  <th scope="col" class="num">
                    User
                  </th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <th scope="col">Left</th>
                  <th scope="col" class="num">
                    Duration
                  </th>
                  <th scope="col">Media</th>
                  <th scope="col">Reason</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.participants.map((p, i) => (
                  <tr key={`${p.user_id}-${p.joined_at}-${i}`} data-user-id={p.user_id}>
                    <td>
                      <code>{p.oto_number}</code>
                    </td>
                    <td class="num">{p.user_id}</td>
                    <td>{p.stage_role ? `${p.role}, ${p.stage_role}` : p.role}</td>
                    <td>{dateTime(p.joined_at)}</td>
                    <td>{p.left_at ? dateTime(p.left_at) : <strong>in the call</strong>}</td>
                    <td class="num">{duration(p.duration_seconds)}</td>
                    <td>{p.media}</td>
                    <td>{p.leave_reason ?? '—'}</td>
                    <td>
                      {!p.left_at && call.status !== 'ended' && (
                        <button type="button" class="small danger" onClick={() => remove(p.user_id, p.oto_number)} aria-label={`Remove ${p.oto_number}`}>
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
                {data.participants.length === 0 && (
                  <tr>
                    <td colSpan={9} class="muted">
                      Nobody has joined yet.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
      <Confirm pending={pending} onClose={() => setPending(null)} onDone={done} onError={failed} />
    </main>
  );
}
