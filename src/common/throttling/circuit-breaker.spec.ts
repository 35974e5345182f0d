import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now: number;
  let opened: Array<[string, number]>;
  let closed: number;
  let circuit: CircuitBreaker;

  beforeEach(() => {
    now = 1_000_000;
    opened = [];
    closed = 0;
    circuit = new CircuitBreaker({
      openMs: 1000,
      maxOpenMs: 4000,
      now: () => now,
      onOpen: (reason, forMs) => opened.push([reason, forMs]),
      onClose: () => (closed += 1),
    });
  });

  it('lets everyone through while closed, whatever succeeds', () => {
    for (let i = 0; i < 5; i += 1) {
      expect(circuit.allows()).toBe(true);
      circuit.succeeded();
    }
    expect(opened).toEqual([]);
    expect(closed).toBe(0);
  });

  it('opens on a failure, reporting it once, and lets nobody through for the pause', () => {
    expect(circuit.allows()).toBe(true);
    circuit.failed('Command timed out');
    // Other calls that were in flight fail too: still one report.
    circuit.failed('Command timed out');
    expect(opened).toEqual([['Command timed out', 1000]]);
    now += 999;
    expect(circuit.allows()).toBe(false);
    expect(circuit.isClosed).toBe(false);
  });

  it('after the pause lets one probe through at a time; its success closes the circuit', () => {
    circuit.failed('down');
    now += 1000;
    expect(circuit.allows()).toBe(true);
    // While the probe is out, everyone else still skips the resource.
    expect(circuit.allows()).toBe(false);
    circuit.succeeded();
    expect(closed).toBe(1);
    expect(circuit.isClosed).toBe(true);
    expect(circuit.allows()).toBe(true);
  });

  it('doubles the pause after each failed probe, up to the maximum, and starts again from the first after closing', () => {
    circuit.failed('down');
    const pauses: number[] = [];
    for (let probe = 0; probe < 4; probe += 1) {
      const openedAt = now;
      while (!circuit.allows()) now += 100;
      pauses.push(now - openedAt);
      circuit.failed('still down');
    }
    expect(pauses).toEqual([1000, 2000, 4000, 4000]);
    expect(opened).toHaveLength(1);
    now += 4000;
    expect(circuit.allows()).toBe(true);
    circuit.succeeded();
    circuit.failed('down again');
    expect(opened).toEqual([
      ['down', 1000],
      ['down again', 1000],
    ]);
    now += 1000;
    expect(circuit.allows()).toBe(true);
  });
});
