import { data, MoRef, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** The privileges a backup product checks before it starts (a subset of vCenter's ~400). */
export const PRIVILEGES = [
  'System.Anonymous', 'System.View', 'System.Read',
  'Datastore.Browse', 'Datastore.FileManagement', 'Datastore.AllocateSpace',
  'Global.DisableMethods', 'Global.EnableMethods', 'Global.Licenses', 'Global.LogEvent', 'Global.ManageCustomFields', 'Global.SetCustomField',
  'Host.Config.Storage',
  'Network.Assign',
  'Resource.AssignVMToPool',
  'Sessions.TerminateSession', 'Sessions.ValidateSession',
  'VirtualMachine.Config.AddExistingDisk', 'VirtualMachine.Config.AddNewDisk', 'VirtualMachine.Config.AdvancedConfig', 'VirtualMachine.Config.ChangeTracking',
  'VirtualMachine.Config.DiskLease', 'VirtualMachine.Config.Settings',
  'VirtualMachine.GuestOperations.Execute', 'VirtualMachine.GuestOperations.Modify', 'VirtualMachine.GuestOperations.Query',
  'VirtualMachine.Interact.PowerOff', 'VirtualMachine.Interact.PowerOn',
  'VirtualMachine.Inventory.Create', 'VirtualMachine.Inventory.Delete', 'VirtualMachine.Inventory.Register',
  'VirtualMachine.Provisioning.DiskRandomAccess', 'VirtualMachine.Provisioning.DiskRandomRead', 'VirtualMachine.Provisioning.GetVmFiles', 'VirtualMachine.Provisioning.PutVmFiles',
  'VirtualMachine.State.CreateSnapshot', 'VirtualMachine.State.RemoveSnapshot', 'VirtualMachine.State.RevertToSnapshot',
];

const ROLES = [
  { roleId: -5, name: 'NoAccess', label: 'No access', privilege: [] as string[] },
  { roleId: -2, name: 'ReadOnly', label: 'Read-only', privilege: ['System.Anonymous', 'System.View', 'System.Read'] },
  { roleId: -1, name: 'Admin', label: 'Administrator', privilege: PRIVILEGES },
];

/**
 * AuthorizationManager: roles, privileges and the logged-in user's rights. The lab's one login is an
 * administrator with the Admin role on the root folder (propagating), so every known privilege is granted.
 */
export class AuthorizationManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'AuthorizationManager', id);
    this.expose({
      privilegeList: () =>
        PRIVILEGES.map((p) => data('AuthorizationPrivilege', { privId: p, onParent: false, name: p.split('.').slice(1).join('.'), privGroupName: p.split('.').slice(0, -1).join('.') })),
      roleList: () =>
        ROLES.map((r) => data('AuthorizationRole', { roleId: r.roleId, system: true, name: r.name, info: data('Description', { label: r.label, summary: r.label }), privilege: r.privilege })),
      description: () =>
        data('AuthorizationDescription', {
          privilege: PRIVILEGES.map((p) => data('ElementDescription', { key: p, label: p, summary: p })),
          privilegeGroup: [...new Set(PRIVILEGES.map((p) => p.split('.')[0]!))].map((g) => data('ElementDescription', { key: g, label: g, summary: g })),
        }),
    });
  }

  private user(args: Args, call: CallContext): string {
    const id = args.optStr('sessionId');
    if (id === undefined || id === '') return call.session!.userName;
    const s = this.engine.sessions.byKey(id);
    if (!s) throw Faults.invalidArgument('sessionId', 'no such session');
    return s.userName;
  }

  private granted(user: string, privs: string[]): DataObject[] {
    const admin = user.toLowerCase() === this.engine.options.login.user.toLowerCase();
    return privs.map((p) => data('PrivilegeAvailability', { privId: p, isGranted: admin && PRIVILEGES.includes(p) }));
  }

  private entities(args: Args, name: string): MoRef[] {
    return args.list(name).map((r) => {
      if (!(r instanceof MoRef)) throw Faults.invalidRequest(`${name} must be ManagedObjectReference`);
      this.engine.require(r);
      return r;
    });
  }

  HasPrivilegeOnEntities(args: Args, call: CallContext): DataObject[] {
    const user = this.user(args, call);
    const privs = args.list('privId').map(String);
    return this.entities(args, 'entity').map((entity) => data('EntityPrivilege', { entity, privAvailability: this.granted(user, privs) }));
  }

  HasPrivilegeOnEntity(args: Args, call: CallContext): boolean[] {
    this.engine.require(args.ref('entity'));
    const user = this.user(args, call);
    return this.granted(user, args.list('privId').map(String)).map((p) => p.isGranted as boolean);
  }

  FetchUserPrivilegeOnEntities(args: Args): DataObject[] {
    const user = args.str('userName');
    const admin = user.toLowerCase() === this.engine.options.login.user.toLowerCase();
    return this.entities(args, 'entities').map((entity) => data('UserPrivilegeResult', { entity, privileges: admin ? PRIVILEGES : [] }));
  }

  private permission(entity: MoRef): DataObject {
    return data('Permission', { entity, principal: this.engine.options.login.user, group: false, roleId: -1, propagate: true });
  }

  RetrieveAllPermissions(): DataObject[] {
    return [this.permission(this.engine.layout.rootFolder)];
  }

  RetrieveEntityPermissions(args: Args): DataObject[] {
    const entity = args.ref('entity');
    this.engine.require(entity);
    return entity.equals(this.engine.layout.rootFolder) || args.bool('inherited', false) ? [this.permission(this.engine.layout.rootFolder)] : [];
  }

  RetrieveRolePermissions(args: Args): DataObject[] {
    const id = args.int('roleId');
    if (!ROLES.some((r) => r.roleId === id)) throw Faults.notFoundGeneric(`The role ${id} was not found.`);
    return id === -1 ? [this.permission(this.engine.layout.rootFolder)] : [];
  }
}
