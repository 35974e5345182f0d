import { Injectable } from '@nestjs/common';

/** What the recordings feature does when participation changes (RecordingMembership registers itself). */
export interface RecordingObserver {
  /** Someone who may be recorded joined or left a call with a running recording: its subscribe lists may change. Never throws. */
  membershipChanged(callId: number, recordingId: number): void;
  /** The call ended: stop its recording. Never throws. */
  callEnded(callId: number): Promise<void>;
}

/**
 * The calls feature's side of recording, without importing it (the recordings module imports
 * this one). Called only AFTER the participation change committed, never inside a transaction.
 */
@Injectable()
export class RecordingHooks {
  private observer?: RecordingObserver;

  register(observer: RecordingObserver): void {
    this.observer = observer;
  }

  membershipChanged(callId: number, recordingId: number): void {
    this.observer?.membershipChanged(callId, recordingId);
  }

  async callEnded(callId: number): Promise<void> {
    await this.observer?.callEnded(callId);
  }
}
