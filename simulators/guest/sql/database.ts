import { PAGE_HEADER, PAGE_SIZE, lsnOf, lsnParts, LogOp, type LogOpCode, type LogRecord, type RecoveryModel } from '../../core/codecs/sql-backup-stream.ts';
import { seededRandom, seededUuid } from '../../core/seeded.ts';
import { PageStore } from './pages.ts';

/** Hands out LSNs the way SQL Server's log does: slots within 512-byte blocks within VLFs. */
export class LsnClock {
  private vlf: number;
  private block = 16;
  private slot = 1;

  constructor(vlf: number) {
    this.vlf = vlf;
  }

  /** The LSN the next record will get (what last_lsn of a backup names). */
  peek(): bigint {
    return lsnOf(this.vlf, this.block, this.slot);
  }

  next(): bigint {
    const lsn = this.peek();
    if (++this.slot > 40) {
      this.slot = 1;
      this.block += 8;
      if (this.block > 99_900) {
        this.block = 16;
        this.vlf++;
      }
    }
    return lsn;
  }

  /** Continue after a restored point (a recovered database keeps its LSN sequence). */
  resumeAt(lsn: bigint): void {
    const p = lsnParts(lsn);
    if (lsn > this.peek()) [this.vlf, this.block, this.slot] = [p.vlf, p.block, p.slot];
  }
}

export interface TransactionResult {
  count: number;
  /** Commit LSN and time of the last transaction. */
  lastLsn: bigint;
  lastTime: Date;
  commits: { lsn: bigint; time: Date }[];
}

/** Backup history that decides what the next backup or restore may do (msdb + the database's own state). */
export interface ChainState {
  /** checkpoint_lsn of the last full (not copy-only) backup: the differential base. */
  diffBaseLsn?: bigint;
  /** Where the next log backup starts; undefined = no chain (BACKUP LOG gets 4214). */
  logChainLsn?: bigint;
}

/**
 * One database: pages, a transaction log (every record kept, so any past state can be rebuilt),
 * LSNs and the backup chain state. The transaction generator is deterministic from the seed: the
 * same calls give the same pages and LSNs (commit times are the wall clock, kept strictly increasing).
 */
export class Database {
  readonly pages: PageStore;
  readonly log: LogRecord[] = [];
  readonly clock: LsnClock;
  readonly createdAt = new Date();
  readonly createdLsn: bigint;
  state: 'ONLINE' | 'RESTORING' = 'ONLINE';
  chain: ChainState = {};
  private readonly rnd: () => number;
  private xact = 0;
  private lastTimeMs = 0;

  constructor(
    readonly name: string,
    public recoveryModel: RecoveryModel,
    readonly sizeMb: number,
    readonly seed: string,
    readonly familyGuid = seededUuid(`${seed}:family`),
    pageCount?: number,
  ) {
    const r = seededRandom(`${seed}:lsn`);
    this.clock = new LsnClock(20 + Math.floor(r() * 60));
    this.createdLsn = this.clock.next();
    // Used pages: an eighth of the file, so a 64 MB database backs up about 8 MiB.
    this.pages = new PageStore(seed, pageCount ?? Math.max(16, Math.floor((sizeMb * 128) / 8)), this.createdLsn);
    this.rnd = seededRandom(`${seed}:txn`);
  }

  /** Wall-clock time that never goes backwards; records written in the same millisecond share it, as in SQL Server. */
  now(): Date {
    this.lastTimeMs = Math.max(Date.now(), this.lastTimeMs);
    return new Date(this.lastTimeMs);
  }

  /** Appends a log record (and applies a row change to its page). */
  write(op: LogOpCode, xact = 0, change?: { pageId: number; offset: number; data: Buffer }, time = this.now()): LogRecord {
    const rec: LogRecord = { op, lsn: this.clock.next(), timeMs: time.getTime(), xact, pageId: change?.pageId ?? 0, offset: change?.offset ?? 0, data: change?.data ?? Buffer.alloc(0) };
    this.log.push(rec);
    if (change) this.pages.modify(change.pageId, { lsn: rec.lsn, offset: change.offset, data: change.data });
    return rec;
  }

  /** Runs `n` transactions: each changes 1-3 rows on random pages and commits. */
  runTransactions(n: number): TransactionResult {
    if (this.state !== 'ONLINE') throw new Error(`database ${this.name} is ${this.state}, not ONLINE`);
    const commits: { lsn: bigint; time: Date }[] = [];
    for (let i = 0; i < n; i++) {
      const x = ++this.xact;
      this.write(LogOp.BEGIN_XACT, x);
      const rows = 1 + Math.floor(this.rnd() * 3);
      for (let r = 0; r < rows; r++) {
        const len = 16 + Math.floor(this.rnd() * 184);
        const offset = PAGE_HEADER + Math.floor(this.rnd() * (PAGE_SIZE - PAGE_HEADER - len));
        const data = Buffer.alloc(len);
        for (let b = 0; b < len; b++) data[b] = Math.floor(this.rnd() * 256);
        this.write(LogOp.MODIFY_ROW, x, { pageId: Math.floor(this.rnd() * this.pages.count), offset, data });
      }
      const c = this.write(LogOp.COMMIT_XACT, x);
      commits.push({ lsn: c.lsn, time: new Date(c.timeMs) });
    }
    const last = commits[commits.length - 1];
    return { count: n, lastLsn: last?.lsn ?? this.clock.peek(), lastTime: last?.time ?? new Date(this.lastTimeMs), commits };
  }

  /** Log records in [from, to). */
  logBetween(from: bigint, to: bigint): LogRecord[] {
    return this.log.filter((r) => r.lsn >= from && r.lsn < to);
  }

  /** Database checksum as of an LSN (default: now). */
  checksum(lsn?: bigint): string {
    return this.pages.checksum(lsn);
  }

  /** The LSN a point-in-time restore to `time` reaches: the last commit at or before it. */
  lsnAt(time: Date): bigint | undefined {
    let found: bigint | undefined;
    for (const r of this.log) if (r.op === LogOp.COMMIT_XACT && r.timeMs <= time.getTime()) found = r.lsn;
    return found;
  }

  setRecoveryModel(model: RecoveryModel): void {
    // Switching to SIMPLE truncates the log on the next checkpoint: the log chain is broken.
    if (model === 'SIMPLE' && this.recoveryModel !== 'SIMPLE') this.chain.logChainLsn = undefined;
    this.recoveryModel = model;
  }

  /** Whether log records exist that no log backup has taken (the "tail" a restore over it would lose). */
  hasUnbackedTail(): boolean {
    if (this.recoveryModel === 'SIMPLE') return false;
    const from = this.chain.logChainLsn;
    return from === undefined ? this.log.length > 0 : this.log.some((r) => r.lsn >= from && r.op === LogOp.COMMIT_XACT);
  }
}
