import type { CommitReport } from './store/group-commit.js';

/**
 * Events the gateway publishes about itself, for observers beside the data path (metrics, the
 * dashboard feed). One hub per App; nothing module-level.
 */
export interface GatewayEventMap {
  /** A group commit finished; `highestId` is the largest reading id now durable. */
  committed: CommitReport & { highestId: number };
  /** A group commit failed and was rolled back. */
  commitFailed: { ops: number; error: string };
}

type Listener<T> = (event: T) => void;

/**
 * A small typed event hub. `emit` is one array-length check when nobody listens, so publishers on
 * the hot path pay nothing for observers that do not exist; `hasListeners` lets a publisher skip
 * building an event object at all. A throwing listener is isolated: it never reaches the publisher
 * (the committer), it is reported to `onListenerError`.
 */
export class EventHub<M extends object> {
  private readonly listeners: { [K in keyof M]?: Listener<M[K]>[] } = {};

  constructor(private readonly onListenerError: (name: keyof M, error: unknown) => void = () => {}) {}

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof M>(name: K, listener: Listener<M[K]>): () => void {
    const list = (this.listeners[name] ??= []);
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i !== -1) list.splice(i, 1);
    };
  }

  hasListeners(name: keyof M): boolean {
    return (this.listeners[name]?.length ?? 0) > 0;
  }

  emit<K extends keyof M>(name: K, event: M[K]): void {
    const list = this.listeners[name];
    if (list === undefined || list.length === 0) return;
    for (const listener of list.slice()) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(name, error);
      }
    }
  }
}

export type GatewayEvents = EventHub<GatewayEventMap>;
