import type { Statement, Transaction } from 'better-sqlite3';
import type { Db } from './database.js';
import type { ClockSample, ReadingOutcome, ReadingRow, RegisterOutcome, StatsDelta, WriteOp } from './ops.js';
import { addTotals, DEVICE_TOTALS_FOLD_MS, DeviceTotals, type TotalsRow } from './device-totals.js';
import { MAX_RANGES_PER_BOOT, SeqLedger } from './seq-ledger.js';
import { hashToken, SaltSource, tokenMatches } from './token-hash.js';

/** How many device ids known to have a `devices` row the writer keeps between commits. */
const DEVICES_REMEMBERED = 65_536;

export type Outcome = ReadingOutcome | RegisterOutcome | null;

/** A commit's device counters, and whether it folded every waiting row (read once it committed). */
interface CommitTotals {
  rows: TotalsRow[];
  folded: boolean;
  /** The boots' seq ranges were written (SeqLedger.flushIfDue). */
  seqsWritten: boolean;
}

/**
 * Applies a batch of write operations in ONE transaction and reports each operation's outcome.
 * Callers must act on outcomes (send ACKs) only after `apply` returned: by then the transaction
 * has committed.
 */
export class BatchWriter {
  private readonly insertReading: Statement;
  /** Which seqs of each boot are stored; readers on this thread may ask it between commits. */
  readonly ledger: SeqLedger;
  private readonly addBoots: Statement;
  private readonly addOpenDevices: Statement;
  private readonly deviceTotals: DeviceTotals;
  private readonly selectDevice: Statement;
  private readonly insertDevice: Statement;
  private readonly addStats: Statement;
  private readonly setBoardHealth: Statement;
  private readonly setClock: Statement;
  private readonly openSession: Statement;
  private readonly closeSession: Statement;
  private readonly selectClock: Statement;
  private readonly addError: Statement;
  /** Salts for the tokens of devices registered on first use. */
  private readonly salts = new SaltSource();
  private readonly run: Transaction<(ops: readonly WriteOp[], outcomes: Outcome[]) => CommitTotals>;

  /** The largest reading id written so far (rows above the slowest sink's cursor are the buffer). */
  highestId: number;

  constructor(db: Db) {
    this.highestId = (db.prepare('SELECT max(id) AS id FROM readings').get() as { id: number | null }).id ?? 0;
    // No index by board on `readings`: a resend is recognised by the ledger (store/seq-ledger.ts),
    // so a commit appends its readings to the table's last pages and nothing else of them.
    this.insertReading = db.prepare(
      `INSERT INTO readings (device, boot, seq, ts, ts_source, device_ts, received, fields, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.ledger = new SeqLedger(db);
    // The bookkeeping of a commit is one statement per table, whatever the number of boards in it:
    // the rows come as one JSON array ([device, boot, seq] and [device, readings, duplicates,
    // bytes, untrusted, last_seen]). `WHERE true`: SQLite's parser needs it before ON CONFLICT.
    // A boot's row is written with its first stored reading; its ranges of stored seqs are
    // written by the ledger in bulk (every SEQ_FLUSH_ROWS readings or SEQ_FLUSH_MS), so a commit
    // does not rewrite the boots' pages.
    this.addBoots = db.prepare(
      `INSERT INTO boots (device, boot, max_seq, first_seen)
         SELECT value ->> 0, value ->> 1, value ->> 2, ? FROM json_each(?) WHERE true
       ON CONFLICT (device, boot) DO NOTHING`,
    );
    // A device the readings name has a row (an 'open' one when none was registered), written in
    // the commit of its first reading. Its counters are not written to that row by each commit,
    // so the boards' `devices` pages are not rewritten: what a stored reading adds is read from
    // the reading until the fold every 250 ms, and what it does not tell (duplicates, untrusted
    // clocks) goes to one `device_deltas` row of the commit (store/device-totals.ts).
    this.addOpenDevices = db.prepare(
      `INSERT INTO devices (id, origin, created_at) SELECT value, 'open', ? FROM json_each(?) WHERE true ON CONFLICT (id) DO NOTHING`,
    );
    this.deviceTotals = new DeviceTotals(db);
    this.selectDevice = db.prepare('SELECT token_salt AS salt, token_hash AS hash, revoked_at AS revokedAt FROM devices WHERE id = ?');
    this.insertDevice = db.prepare('INSERT INTO devices (id, token_salt, token_hash, origin, created_at) VALUES (?, ?, ?, ?, ?)');
    this.addStats = db.prepare(
      `UPDATE devices SET connects = connects + ?, connected_ms = connected_ms + ?, bytes = bytes + ?,
         board = coalesce(?, board), fw = coalesce(?, fw), last_seen = max(coalesce(last_seen, 0), ?) WHERE id = ?`,
    );
    this.setBoardHealth = db.prepare(
      'UPDATE devices SET reset_cause = coalesce(?, reset_cause), missed_samples = coalesce(?, missed_samples) WHERE id = ?',
    );
    this.selectClock = db.prepare('SELECT clock_offset_ms AS offsetMs, clock_at AS at, clock_drift_ppm AS drift FROM devices WHERE id = ?');
    this.setClock = db.prepare(
      `UPDATE devices SET clock_offset_ms = ?, clock_rtt_ms = coalesce(?, clock_rtt_ms), clock_drift_ppm = ?, clock_at = ?,
         clock_error_ms = coalesce(?, clock_error_ms) WHERE id = ?`,
    );
    // The running session: the first open session sets connected_since; closing one while another
    // is open (a takeover) moves it to the closed one's end, so no time is counted twice.
    this.openSession = db.prepare(
      `UPDATE devices SET connected_since = CASE WHEN sessions_open = 0 THEN ? ELSE connected_since END,
         sessions_open = sessions_open + 1 WHERE id = ?`,
    );
    this.closeSession = db.prepare(
      `UPDATE devices SET sessions_open = max(0, sessions_open - 1),
         connected_since = CASE WHEN sessions_open <= 1 THEN NULL ELSE connected_since + ? END WHERE id = ?`,
    );
    this.addError = db.prepare(
      `INSERT INTO device_errors (device, code, count) VALUES (?, ?, ?)
       ON CONFLICT (device, code) DO UPDATE SET count = count + excluded.count`,
    );
    this.run = db.transaction((ops: readonly WriteOp[], outcomes: Outcome[]) => this.applyAll(ops, outcomes));
  }

  /** Runs the batch; throws (and rolls back everything) if SQLite fails. */
  apply(ops: readonly WriteOp[], now: number): Outcome[] {
    const outcomes: Outcome[] = new Array<Outcome>(ops.length).fill(null);
    this.now = now;
    // IMMEDIATE: the batch reads before it writes, and other connections write too (the sync
    // thread's cursors, the CLI). A deferred transaction whose snapshot went stale in between
    // fails at its first write with SQLITE_BUSY_SNAPSHOT, without waiting; this one waits for the
    // lock (busy_timeout) before it reads.
    let totals: CommitTotals;
    try {
      totals = this.run.immediate(ops, outcomes);
    } catch (e) {
      // Rolled back: the seqs this batch stored were not stored after all, nor the boots' and
      // devices' rows it added.
      this.ledger.rolledBack();
      this.knownDevices.clear();
      throw e;
    }
    this.ledger.committed(now, totals.seqsWritten);
    // Committed: the counters it appended wait for the next fold, or it folded them all.
    if (totals.folded) {
      this.waiting.clear();
      this.waitingKnown = true;
      this.foldedAt = now;
    } else {
      for (const r of totals.rows) addTotals(this.waiting, r);
    }
    return outcomes;
  }

  private now = 0;

  /** Device ids this writer saw in `devices` or added there (insertion order: the oldest go first). */
  private readonly knownDevices = new Set<string>();
  /** When `device_deltas` was last folded (the commit clock); -∞: fold at the next commit. */
  private foldedAt = Number.NEGATIVE_INFINITY;
  /**
   * The counters per device committed since the last fold: the readings stored and the
   * `device_deltas` rows appended. Until its first fold the tables may hold what another writer
   * committed (a crash, a writer thread replaced), so that fold adds it up from the tables. A row
   * another connection appends (store/quarantine.ts: a reading moved above `totals_through`)
   * cancels a count this writer never made, so the fold drops it with the others.
   */
  private readonly waiting = new Map<string, TotalsRow>();
  private waitingKnown = false;

  private applyAll(ops: readonly WriteOp[], outcomes: Outcome[]): CommitTotals {
    const newBoots: [string, number, number][] = [];
    const totals = new Map<string, TotalsRow>();
    const untold = new Map<string, TotalsRow>();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as WriteOp;
      if (op.kind === 'reading') outcomes[i] = this.writeReading(op.row, newBoots, totals, untold);
      else if (op.kind === 'register') outcomes[i] = this.register(op.device, op.token, op.origin, op.at);
      else this.writeStats(op.device, op.delta);
    }
    if (newBoots.length > 0) this.addBoots.run(this.now, JSON.stringify(newBoots));
    const seqsWritten = this.ledger.flushIfDue(this.now, this.highestId);
    const rows = [...totals.values()];
    if (rows.length > 0) {
      const added: string[] = [];
      for (const r of rows) if (!this.deviceKnown(r[0])) added.push(r[0]);
      if (added.length > 0) this.addOpenDevices.run(this.now, JSON.stringify(added));
    }
    if (untold.size > 0) this.deviceTotals.append([...untold.values()]);
    // A clock set back folds at once rather than let the rows pile up until it catches up.
    const folded = this.now - this.foldedAt >= DEVICE_TOTALS_FOLD_MS || this.now < this.foldedAt;
    if (folded) {
      if (!this.waitingKnown) {
        this.deviceTotals.foldStored();
      } else {
        const sums = new Map<string, TotalsRow>();
        for (const r of this.waiting.values()) addTotals(sums, r);
        for (const r of rows) addTotals(sums, r);
        this.deviceTotals.foldKnown([...sums.values()]);
      }
    }
    return { rows, folded, seqsWritten };
  }

  /** Whether `device` has a row; remembers it either way (the caller adds the row when it had none). */
  private deviceKnown(device: string): boolean {
    if (this.knownDevices.has(device)) return true;
    if (this.knownDevices.size >= DEVICES_REMEMBERED) this.knownDevices.delete(this.knownDevices.values().next().value as string);
    this.knownDevices.add(device);
    return this.selectDevice.get(device) !== undefined;
  }

  /**
   * `totals`: the commit's counters per device; `untold`: the part of them the stored readings do
   * not tell (duplicates, untrusted clocks), for `device_deltas`.
   */
  private writeReading(row: ReadingRow, newBoots: [string, number, number][], totals: Map<string, TotalsRow>, untold: Map<string, TotalsRow>): ReadingOutcome {
    const boot = this.ledger.entry(row.device, row.boot);
    // Seqs at or below the boot's floor were stored and later pruned by retention: a resend is a
    // duplicate, as is any seq the ledger holds.
    const stored = !boot.seqs.has(row.seq);
    if (stored && boot.seqs.rangeCount >= MAX_RANGES_PER_BOOT && boot.seqs.wouldSplit(row.seq)) return 'gaps';
    if (stored) {
      const info = this.insertReading.run(
        row.device, row.boot, row.seq, row.ts, row.tsSource, row.deviceTs, row.received, row.fields, row.bytes,
      );
      this.highestId = Number(info.lastInsertRowid);
      this.ledger.stored(boot, row.seq);
      if (!boot.hasRow) {
        boot.hasRow = true;
        newBoots.push([row.device, row.boot, row.seq]);
      }
    }
    let t = totals.get(row.device);
    if (t === undefined) {
      t = [row.device, 0, 0, 0, 0, 0, 0];
      totals.set(row.device, t);
    }
    if (stored) {
      t[1]++;
      t[6] = this.highestId;
    } else {
      t[2]++;
    }
    t[3] += row.bytes;
    if (row.clockUntrusted) t[4]++;
    if (row.received > t[5]) t[5] = row.received;
    if (!stored || row.clockUntrusted) {
      let u = untold.get(row.device);
      if (u === undefined) {
        u = [row.device, 0, 0, 0, 0, 0, 0];
        untold.set(row.device, u);
      }
      if (!stored) {
        u[2]++;
        u[3] += row.bytes;
        if (row.received > u[5]) u[5] = row.received;
      }
      if (row.clockUntrusted) u[4]++;
    }
    return stored ? 'stored' : 'duplicate';
  }

  private register(device: string, token: string, origin: 'tofu' | 'open', at: number): RegisterOutcome {
    const existing = this.selectDevice.get(device) as { salt: Buffer | null; hash: Buffer | null; revokedAt: number | null } | undefined;
    if (existing === undefined) {
      const h = origin === 'tofu' ? hashToken(token, this.salts.next()) : null;
      this.insertDevice.run(device, h?.salt ?? null, h?.hash ?? null, origin, at);
      return 'registered';
    }
    if (existing.revokedAt !== null) return 'revoked';
    // A concurrent HELLO registered this id in the same or an earlier batch: the token must match.
    if (origin === 'open' || existing.salt === null || existing.hash === null) return 'accepted';
    return tokenMatches(token, { salt: existing.salt, hash: existing.hash }) ? 'accepted' : 'conflict';
  }

  /**
   * Keeps the latest clock offset and round trip, and the drift between two offsets at least a
   * minute apart. A jump larger than 1% of the elapsed time is a reboot (millis restarted), not drift.
   */
  private writeClock(device: string, c: ClockSample): void {
    const prev = this.selectClock.get(device) as { offsetMs: number | null; at: number | null; drift: number | null } | undefined;
    let drift = prev?.drift ?? null;
    if (prev?.offsetMs != null && prev.at != null) {
      const dt = c.at - prev.at;
      const dOff = c.offsetMs - prev.offsetMs;
      if (dt >= 60_000) drift = Math.abs(dOff) * 100 < dt ? (dOff * 1e6) / dt : null;
    }
    this.setClock.run(c.offsetMs, c.rttMs, drift, c.at, c.errorMs === undefined ? null : Math.round(c.errorMs), device);
  }

  private writeStats(device: string, d: StatsDelta): void {
    // Statistics belong to registered devices only: a refused unknown id must leave no trace rows.
    if (this.selectDevice.get(device) === undefined) return;
    if (d.connects || d.connectedMs || d.bytes || d.board || d.fw || d.lastSeen) {
      this.addStats.run(d.connects ?? 0, d.connectedMs ?? 0, d.bytes ?? 0, d.board ?? null, d.fw ?? null, d.lastSeen ?? 0, device);
    }
    if (d.resetCause !== undefined || d.missedSamples !== undefined) {
      this.setBoardHealth.run(d.resetCause ?? null, d.missedSamples ?? null, device);
    }
    for (let i = 0; i < (d.connects ?? 0); i++) this.openSession.run(d.lastSeen ?? null, device);
    if (d.connectedMs !== undefined) this.closeSession.run(d.connectedMs, device);
    if (d.clock) this.writeClock(device, d.clock);
    if (d.errors) {
      for (const [code, n] of Object.entries(d.errors)) this.addError.run(device, code, n);
    }
  }
}
