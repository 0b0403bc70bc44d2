import type { ErrCode } from '../../protocol/codes.js';
import type { HelloMessage } from '../../protocol/messages.js';
import { reply } from '../../protocol/replies.js';
import type { Timers } from '../../time/timers.js';
import type { AuthRefusal, AuthResult } from '../device-auth.js';
import type { IngestSession } from '../session/session.js';
import type { DeviceSession } from '../sessions.js';
import type { ConnectionSocket } from './connection-deps.js';
import type { ConnectionDeadlines } from './deadlines.js';

/** The connection states the HELLO exchange moves a connection between. */
export type HelloState = 'greeting' | 'authenticating' | 'ready';

export interface HelloDeps {
  /** Decides: authentication, the accepted hello, HELLO OK's `last=`, BUSY on a full disk. */
  readonly session: Pick<IngestSession, 'authenticate' | 'hello' | 'lastStored' | 'diskFull'>;
  readonly timers: Timers;
  /** Paused while input waits for an answer; its address is the guessing throttle's key. */
  readonly socket: Pick<ConnectionSocket, 'pause' | 'remoteAddress'>;
  readonly deadlines: Pick<ConnectionDeadlines, 'helloDone'>;
  /** What an accepted HELLO claims the device for: an older session of the device is kicked. */
  readonly claimAs: DeviceSession;
  /** The connection still waits for the answer: no kick, shutdown, BUSY or close ended it. */
  authenticating(): boolean;
  /** Moves the connection to a state of the exchange. */
  enter(state: HelloState): void;
  /** Sends a reply (a peer that does not read its replies has its input paused). */
  send(line: string): void;
  /** The HELLO was answered after its registration's commit, at `now`: held input goes on. */
  release(now: number): void;
  /** The disk is full: BUSY once, and the connection stays open taking no more lines. */
  hold(retryAfterMs: number): void;
  /** A connection-level ERR that ends the connection. */
  refuseConnection(code: ErrCode, text: string): void;
  /** A device was registered on first use (the connection logs it). */
  registered(device: string): void;
  /** A device was answered HELLO OK under `boot` (the connection logs it). */
  connected(hello: HelloMessage, boot: number): void;
}

/**
 * The HELLO of one TCP connection: greeting -> authenticating -> ready, held or greeting. The
 * session decides (at once, or after a registration's commit); this answers: HELLO OK, BUSY when
 * the disk is full, or the refusal's ERR, which ends the connection. Input waits while an answer
 * is pending.
 */
export class HelloExchange {
  constructor(private readonly deps: HelloDeps) {}

  /** A HELLO read at `now` while the connection is greeting. */
  begin(hello: HelloMessage, now: number): void {
    const d = this.deps;
    const later = (result: AuthResult) => this.registered(hello, result);
    const peer = d.socket.remoteAddress ?? null;
    const result = d.session.authenticate(hello.deviceId, hello.token, now, later, peer);
    if (result === null) {
      // Registration is a write: it rides the next group commit, and input waits for its outcome.
      this.wait();
    } else if (result.ok) {
      this.complete(hello, now);
    } else if ('diskFull' in result) {
      d.hold(d.session.diskFull());
    } else {
      this.refuse(result);
    }
  }

  /** The answer after the registration's commit. */
  private registered(hello: HelloMessage, result: AuthResult): void {
    const d = this.deps;
    if (!d.authenticating()) return;
    const now = d.timers.now();
    if (result.ok) {
      if (result.registered) d.registered(hello.deviceId);
      this.complete(hello, now);
      d.release(now);
      return;
    }
    if ('diskFull' in result) {
      // Nothing was registered: BUSY, and the connection stays open like a reading's (hold).
      d.hold(d.session.diskFull());
      return;
    }
    d.enter('greeting');
    this.refuse(result);
  }

  /**
   * A refused authentication; a guess (wrong token, unknown id) is answered only after the
   * throttle's delay, with input held meanwhile, so guessing costs the guesser time.
   */
  private refuse(result: AuthRefusal): void {
    const d = this.deps;
    const delayMs = result.delayMs ?? 0;
    if (delayMs <= 0) {
      d.refuseConnection(result.code, result.text);
      return;
    }
    this.wait();
    d.deadlines.helloDone();
    d.timers.after(delayMs, () => {
      if (!d.authenticating()) return;
      d.enter('greeting');
      d.refuseConnection(result.code, result.text);
    });
  }

  private complete(hello: HelloMessage, now: number): void {
    const d = this.deps;
    d.deadlines.helloDone();
    d.enter('ready');
    const boot = d.session.hello(hello, now, { live: true, connects: true, claimAs: d.claimAs });
    d.send(reply.helloOk(now, d.session.lastStored()));
    d.connected(hello, boot);
  }

  /** Input waits for an answer: the connection is authenticating, its socket paused. */
  private wait(): void {
    this.deps.enter('authenticating');
    this.deps.socket.pause();
  }
}
