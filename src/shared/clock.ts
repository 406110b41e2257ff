/** The app asks this for the time, never `new Date()` directly, so that tests can stand on either
 *  side of a deadline. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: set or advance it. */
export class TestClock implements Clock {
  constructor(private current: Date = new Date('2026-11-25T02:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
