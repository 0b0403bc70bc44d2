/**
 * A bounded FIFO like the sketches' fixed array of unacknowledged readings. When full, pushing
 * drops the oldest entry (the board keeps the newest data) and counts the drop: the policy is
 * named, never implicit.
 */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;
  private dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Entries dropped because the buffer was full. */
  get overflowDrops(): number {
    return this.dropped;
  }

  /** Appends; returns the entry evicted to make room, if any. */
  push(item: T): T | undefined {
    let evicted: T | undefined;
    if (this.count === this.capacity) {
      evicted = this.shift();
      this.dropped += 1;
    }
    this.slots[(this.head + this.count) % this.capacity] = item;
    this.count += 1;
    return evicted;
  }

  /** The entry at position i from the oldest (0), or undefined. */
  at(i: number): T | undefined {
    return i >= 0 && i < this.count ? this.slots[(this.head + i) % this.capacity] : undefined;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count -= 1;
    return item;
  }

  /** Removes oldest entries while `accept` holds; returns them oldest first. */
  shiftWhile(accept: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (let item = this.peek(); item !== undefined && accept(item); item = this.peek()) {
      removed.push(this.shift() as T);
    }
    return removed;
  }

  /** Removes the first entry matching `match` (order of the others is kept). */
  removeFirst(match: (item: T) => boolean): T | undefined {
    const all = [...this];
    const index = all.findIndex(match);
    if (index === -1) return undefined;
    const [removed] = all.splice(index, 1);
    this.slots.fill(undefined);
    this.head = 0;
    this.count = all.length;
    all.forEach((item, i) => (this.slots[i] = item));
    return removed;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.slots[(this.head + i) % this.capacity] as T;
  }
}
