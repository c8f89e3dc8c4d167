import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { VimFault } from '../soap/faults.ts';

/** ESXi's local users (HostLocalAccountManager): root exists; others can be added and removed. */
export class HostLocalAccountManager extends ManagedObject {
  private readonly users = new Set<string>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'HostLocalAccountManager', id);
    this.users.add(engine.options.login.user);
  }

  CreateUser(args: Args): void {
    const user = Args.of(args.obj('user'), 'user').str('id');
    if (this.users.has(user)) throw new VimFault('AlreadyExists', `The specified key, name, or identifier '${user}' already exists.`, { name: user });
    this.users.add(user);
  }

  RemoveUser(args: Args): void {
    const user = args.str('userName');
    if (!this.users.has(user)) throw new VimFault('UserNotFound', `User ${user} was not found.`, { principal: user, unresolved: false });
    if (user === this.engine.options.login.user) throw new VimFault('InvalidArgument', 'A specified parameter was not correct: userName (cannot remove the logged-in administrator)', { invalidProperty: 'userName' });
    this.users.delete(user);
  }

  UpdateUser(args: Args): void {
    const user = Args.of(args.obj('user'), 'user').str('id');
    if (!this.users.has(user)) throw new VimFault('UserNotFound', `User ${user} was not found.`, { principal: user, unresolved: false });
  }
}
