import type { SqlServerSpec } from '../../inventory/types.ts';
import type { DatabaseInfo, InstanceInfo } from '../../core/codecs/guest-api.ts';
import { Database } from './database.ts';
import { ErrorLog } from './errorlog.ts';

/** One SQL Server instance (MSSQLSERVER or a named one) with its databases and error log. */
export class SqlInstance {
  readonly version = '16.0.4135.4';
  readonly edition = 'Developer Edition (64-bit)';
  readonly errorLog = new ErrorLog();
  private readonly dbs = new Map<string, Database>();

  constructor(
    readonly name: string,
    readonly server: string,
    readonly seed: string,
  ) {
    this.errorLog.add('Server', `Microsoft SQL Server 2022 (RTM-CU15) - ${this.version} (X64) ${this.edition} on Windows Server 2019 Standard`);
  }

  database(name: string): Database | undefined {
    return this.dbs.get(name.toLowerCase());
  }

  databases(): Database[] {
    return [...this.dbs.values()];
  }

  put(db: Database): void {
    this.dbs.set(db.name.toLowerCase(), db);
  }

  drop(name: string): boolean {
    return this.dbs.delete(name.toLowerCase());
  }

  info(): InstanceInfo {
    return { name: this.name, version: this.version, edition: this.edition, databases: this.databases().map(databaseInfo) };
  }
}

export function databaseInfo(db: Database): DatabaseInfo {
  return {
    name: db.name,
    recoveryModel: db.recoveryModel,
    state: db.state,
    sizeMb: db.sizeMb,
    pageCount: db.pages.count,
    familyGuid: db.familyGuid,
    lastLsn: (db.log[db.log.length - 1]?.lsn ?? db.createdLsn).toString(),
    logChain: db.recoveryModel !== 'SIMPLE' && db.chain.logChainLsn !== undefined,
  };
}

/**
 * The SQL Server of one VM, built lazily from the inventory's sqlServer spec. Scenarios and tests
 * reach it through `world.sql.server(vm)` to run transactions and read checksums.
 */
export class SqlServerModel {
  readonly instances = new Map<string, SqlInstance>();

  constructor(
    readonly vm: string,
    readonly hostname: string,
    spec: SqlServerSpec,
    seed: string,
  ) {
    for (const i of spec.instances) {
      const inst = new SqlInstance(i.name, hostname, `${seed}:${vm}:${i.name}`);
      for (const d of i.databases) inst.put(new Database(d.name, d.recoveryModel, d.sizeMb, `${inst.seed}:${d.name}`));
      this.instances.set(i.name.toUpperCase(), inst);
    }
  }

  instance(name: string): SqlInstance | undefined {
    return this.instances.get(name.toUpperCase());
  }

  /** Shortcut for tests and scenarios: `server.database('MSSQLSERVER', 'SalesDB')`. */
  database(instance: string, db: string): Database | undefined {
    return this.instance(instance)?.database(db);
  }

  /** Runs `n` deterministic transactions in a database (the scenario "sql-transactions" step). */
  runTransactions(instance: string, db: string, n: number) {
    const d = this.database(instance, db);
    if (!d) throw new Error(`no database ${instance}\\${db} on ${this.vm}`);
    return d.runTransactions(n);
  }
}
