import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../firmware-sim/backoff.js';
import { DeviceLink, type LinkOwner } from '../../firmware-sim/device-link.js';
import type { DeviceState } from '../../firmware-sim/device-options.js';
import { DevicePhase } from '../../firmware-sim/device-phase.js';
import type { LinkHandlers } from '../../firmware-sim/link.js';
import { ManualScheduler } from '../../firmware-sim/manual-scheduler.js';
import { PROFILES } from '../../firmware-sim/profiles.js';
import { Reconnect } from '../../firmware-sim/reconnect.js';
import { createRng } from '../../firmware-sim/rng.js';
import { ScriptedTransport } from './fake-peer.js';

/** The parts device.ts is built from, each without the rest of a board. */

const profile = PROFILES.esp8266;

function linkRig(view: Partial<ReturnType<LinkOwner['view']>> = {}) {
  const scheduler = new ManualScheduler();
  const transport = new ScriptedTransport();
  const heard: string[] = [];
  const owner: LinkOwner = {
    onOpen: () => heard.push('open'),
    onLine: (line) => heard.push(`line ${line}`),
    onClose: (reason) => heard.push(`close ${reason}`),
    view: () => ({ state: 'online' as DeviceState, inPhaseMs: 0, awaitingReply: false, awaitingTime: false, resyncDue: false, ...view }),
    abort: (reason) => {
      heard.push(`abort ${reason}`);
      link.detach((l) => l.destroy());
    },
    timeRequest: () => heard.push('time request'),
  };
  const link = new DeviceLink({ deviceId: 'dev-1', token: 'tok-1', transport, scheduler, profile }, owner);
  return { scheduler, transport, heard, link };
}

describe('DeviceLink', () => {
  it('numbers its links and ignores every event of a link it detached', () => {
    const { transport, heard, link } = linkRig();
    // The scripted peer stays quiet once closed; a real socket may still deliver: keep its handlers.
    const opened: LinkHandlers[] = [];
    const open = transport.open.bind(transport);
    transport.open = (id, handlers) => (opened.push(handlers), open(id, handlers));
    link.open();
    const first = transport.last;
    assert.equal(link.generation, 1);
    first.accept();
    first.reply('HELLO OK 1 0');
    link.detach((l) => l.end());
    assert.equal(first.endedBy, 'end');
    assert.equal(link.up, false);
    opened[0]?.onLine('ACK 3');
    opened[0]?.onClose('late close');
    opened[0]?.onOpen();
    link.open();
    assert.equal(link.generation, 3, 'a detach counts as a link of its own, so nothing sent before it matches');
    transport.last.accept();
    transport.last.close('reset');
    assert.deepEqual(heard, ['open', 'line HELLO OK 1 0', 'open', 'close reset']);
  });

  it('keeps an idle link alive with PING, and gives it up when the PING stays unanswered', () => {
    const { scheduler, transport, heard, link } = linkRig();
    link.open();
    const conn = transport.last;
    conn.accept();
    link.write('HELLO dev-1 tok-1');
    conn.reply('HELLO OK 1 0');
    scheduler.advance(profile.keepaliveMs - 1_000);
    assert.deepEqual(conn.lines('PING'), [], 'not idle long enough yet');
    scheduler.advance(1_000);
    assert.deepEqual(conn.lines('PING'), ['PING']);
    conn.reply('PONG');
    link.pongReceived();
    scheduler.advance(profile.replyTimeoutMs);
    assert.ok(!heard.some((h) => h.startsWith('abort')), 'an answered PING is no reason to give up');
    scheduler.advance(profile.keepaliveMs);
    assert.equal(conn.lines('PING').length, 2);
    scheduler.advance(profile.replyTimeoutMs);
    assert.deepEqual(heard.filter((h) => h.startsWith('abort')), ['abort reply timeout']);
    assert.equal(conn.endedBy, 'destroy');
    const pings = conn.lines('PING').length;
    scheduler.advance(10 * profile.keepaliveMs);
    assert.equal(conn.lines('PING').length, pings, 'no check runs once the link is gone');
  });

  it('asks its board for a time request when the check finds a round due', () => {
    const { scheduler, transport, heard, link } = linkRig({ resyncDue: true });
    link.open();
    transport.last.accept();
    scheduler.advance(1_000);
    assert.deepEqual(heard, ['open', 'time request']);
  });
});

describe('DevicePhase', () => {
  it('records when each state began and resolves every waiter when the board settles', async () => {
    const scheduler = new ManualScheduler();
    const phase = new DevicePhase(() => scheduler.now());
    phase.enter('connecting');
    scheduler.advance(250);
    phase.enter('hello');
    assert.equal(phase.state, 'hello');
    assert.equal(phase.since, scheduler.now());
    const a = phase.whenFinal();
    const b = phase.whenFinal();
    assert.equal(phase.final, false);
    phase.settle('failed');
    assert.deepEqual(await Promise.all([a, b]), ['failed', 'failed']);
    assert.equal(await phase.whenFinal(), 'failed', 'a late waiter hears the final state at once');
  });
});

describe('Reconnect', () => {
  it("waits the gateway's BUSY time (plus up to half again) once, then the backoff", () => {
    const scheduler = new ManualScheduler();
    const backoff = new Backoff({ minMs: 500, maxMs: 30_000, factor: 2 }, createRng(7));
    const reconnect = new Reconnect(backoff, createRng(8), scheduler);
    let connects = 0;
    reconnect.retryAfter(20_000);
    reconnect.schedule(() => (connects += 1));
    scheduler.advance(19_999);
    assert.equal(connects, 0, 'not before the BUSY time');
    scheduler.advance(10_001);
    assert.equal(connects, 1, 'by one and a half times the BUSY time');
    assert.equal(backoff.attempts, 0, 'BUSY does not advance the backoff');
    reconnect.schedule(() => (connects += 1));
    scheduler.advance(500);
    assert.equal(connects, 2, 'then the backoff: its first step is at most 500 ms');
    assert.equal(backoff.attempts, 1);
  });

  it('cancels a pending reconnect', () => {
    const scheduler = new ManualScheduler();
    const reconnect = new Reconnect(new Backoff({ minMs: 500, maxMs: 30_000, factor: 2 }, createRng(1)), createRng(2), scheduler);
    let connects = 0;
    reconnect.schedule(() => (connects += 1));
    reconnect.cancel();
    reconnect.cancel();
    scheduler.advance(60_000);
    assert.equal(connects, 0);
  });
});
