/**
 * Where the service reads the time. Production uses the system clock; tests pass a clock they
 * move by hand (createApp({ clock })), so time-dependent rules are tested without sleeping.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
