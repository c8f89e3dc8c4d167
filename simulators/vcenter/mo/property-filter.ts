import type { XObject } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import type { CallContext } from '../engine.ts';
import type { Reported } from '../collector/updates.ts';
import type { Session } from '../session.ts';

/** A filter made by CreateFilter; WaitForUpdatesEx reports what changed in it since last time. */
export class PropertyFilter extends ManagedObject {
  readonly reported: Reported = new Map();

  constructor(
    engine: SoapEngine,
    readonly session: Session,
    readonly collector: string,
    readonly spec: XObject,
    readonly partialUpdates: boolean,
  ) {
    super(engine, 'PropertyFilter', `session[${session.key.slice(0, 8)}]${engine.nextId('filter')}`);
    this.expose({ spec: () => undefined, partialUpdates: () => partialUpdates });
  }

  DestroyPropertyFilter(_args: Args, _call: CallContext): void {
    this.session.collector(this.collector).filters.delete(this.ref.value);
    this.session.owned.delete(this.ref.value);
    this.engine.unregister(this.ref);
  }
}
