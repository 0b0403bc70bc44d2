import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../../store/database.js';
import type { SummaryCell } from '../../summaries/columns.js';
import type { SummaryWriter } from '../../summaries/job.js';
import type { PlaceInfo, SummaryPlaces } from '../../summaries/places.js';
import type { PlacedTable } from '../../summaries/placed-table.js';
import { ZoneClock } from '../../time/time-zone.js';
import { writeAt } from './files.js';
import { csvRecord } from './rfc4180.js';

export interface CsvSummaryOptions {
  dir: string;
  /** The sink's name in summary_places. */
  sink: string;
  timeZone: string;
  /** Most rows written in one pass (the rest go at the next). */
  maxRows?: number;
}

/**
 * One placed table as a file (a period's summaries, `summary 1h.csv`, or `bills.csv`) beside the raw files, written exactly once with
 * revisions in place:
 *
 * Every row has a fixed place (summary_places, reserved in SQLite before its first write) and
 * SQLite records the byte offset where each place starts. A pass takes the rows that are new or
 * revised, and rewrites the file's tail from the first such place: every record from that offset
 * on is rendered again from SQLite, written, the file cut after it and fsynced, and only then are
 * the written revisions and offsets recorded. A crash before the record leaves the rows due, and
 * the next pass writes the same bytes at the same offset; a crash after cannot lose anything. So
 * a revised row changes in place (its line, and the lines after it move if its length changed),
 * and no row is ever written twice. New rows, the common case, rewrite nothing but themselves.
 */
export class CsvSummaryFile<R extends { id: number; revision: number }> implements SummaryWriter {
  readonly name: string;
  private readonly places: SummaryPlaces<R>;
  private readonly zone: ZoneClock;
  private readonly file: string;

  constructor(
    db: Db,
    private readonly table: PlacedTable<R>,
    private readonly options: CsvSummaryOptions,
  ) {
    this.name = `${options.sink} ${table.title}`;
    this.file = join(options.dir, `${table.title}.csv`);
    this.places = table.places(db, options.sink);
    this.zone = new ZoneClock(options.timeZone);
  }

  get path(): string {
    return this.file;
  }

  async flush(): Promise<boolean> {
    for (;;) {
      const due = this.places.due(this.options.maxRows ?? 5000);
      if (due.length === 0) return true;
      const placed = this.places.reserve(due);
      await this.rewriteFrom(Math.min(...placed.map((r) => r.place as number)));
      if (due.length < (this.options.maxRows ?? 5000)) return true;
    }
  }

  private async rewriteFrom(first: number): Promise<void> {
    let from = first;
    let offset = await this.offsetOf(from);
    if (offset === null) {
      // The file is shorter than SQLite says (removed or cut outside sheetlog): write it all again.
      from = 1;
      offset = 0;
    }
    const rows = this.places.tail(from);
    let text = from === 1 ? csvRecord([...this.table.columns]) : '';
    let at = offset + Buffer.byteLength(text);
    const written: { id: number; revision: number; byteOffset: number }[] = [];
    for (const row of rows) {
      const record = this.record(row);
      written.push({ id: row.id, revision: row.revision, byteOffset: at });
      text += record;
      at += Buffer.byteLength(record);
    }
    await mkdir(this.options.dir, { recursive: true });
    await writeAt(this.file, offset, text);
    this.places.written(written);
  }

  /** Where place `n` starts in the file, or null when the file cannot be trusted up to there. */
  private async offsetOf(n: number): Promise<number | null> {
    if (n === 1) return 0;
    const size = await fileSize(this.file);
    const own = this.places.placeOf(n);
    if (own?.byteOffset != null) return own.byteOffset <= size ? own.byteOffset : null;
    // A place never written: it starts where the one before it (up to date, else it would be due) ends.
    const prev = this.places.tail(n - 1)[0];
    if (!prev || prev.byteOffset === null || prev.writtenRevision !== prev.revision) return null;
    const end = prev.byteOffset + Buffer.byteLength(this.record(prev));
    return end <= size ? end : null;
  }

  private record(row: R & PlaceInfo): string {
    return csvRecord(this.table.cells(row, this.zone).map((c) => render(c, this.zone)));
  }
}

function render(c: SummaryCell, zone: ZoneClock): string {
  if (c === null) return '';
  if (typeof c === 'object') return zone.text(c.time).slice(0, 19);
  return String(c);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}
