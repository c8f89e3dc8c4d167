import { data, MoRef, type DataObject } from '../../core/codecs/vim25/index.ts';

/** A vim fault a method throws; the dispatcher turns it into a SOAP fault, a task into TaskInfo.error. */
export class VimFault extends Error {
  constructor(
    readonly faultType: string,
    message: string,
    readonly props: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The fault as a data object (inside LocalizedMethodFault for task errors). */
  toData(): DataObject {
    return data(this.faultType, { ...this.props });
  }

  toLocalized(): DataObject {
    return data('LocalizedMethodFault', { fault: this.toData(), localizedMessage: this.message });
  }
}

/** The faults vCenter answers with, worded like vCenter words them. */
export const Faults = {
  notAuthenticated: (obj?: MoRef) =>
    new VimFault('NotAuthenticated', 'The session is not authenticated.', { object: obj, privilegeId: 'System.View' }),
  invalidLogin: () => new VimFault('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.'),
  notFound: (obj: MoRef) =>
    new VimFault('ManagedObjectNotFound', `The object '${obj.type}:${obj.value}' has already been deleted or has not been completely created`, { obj }),
  methodNotFound: (receiver: MoRef, method: string) =>
    new VimFault('MethodNotFound', `Method ${method} not found on ${receiver.type}.`, { receiver, method }),
  invalidArgument: (property: string, detail?: string) =>
    new VimFault('InvalidArgument', `A specified parameter was not correct: ${property}${detail ? ` (${detail})` : ''}`, { invalidProperty: property }),
  invalidRequest: (message: string) => new VimFault('InvalidRequest', message),
  invalidProperty: (name: string) => new VimFault('InvalidProperty', `Property ${name} is not valid.`, { name }),
  invalidState: (message = 'The operation is not allowed in the current state.') => new VimFault('InvalidState', message),
  invalidPowerState: (requested: string | undefined, existing: string) =>
    new VimFault('InvalidPowerState', `The attempted operation cannot be performed in the current state (${existing}).`, {
      requestedState: requested,
      existingState: existing,
    }),
  fileFault: (file: string, message: string) => new VimFault('FileFault', message, { file }),
  guestOpsUnavailable: () =>
    new VimFault('GuestOperationsUnavailable', 'The guest operations agent could not be contacted.'),
  invalidGuestLogin: () =>
    new VimFault('InvalidGuestLogin', 'Failed to authenticate with the guest operating system using the supplied credentials.'),
  noPermission: (obj: MoRef, privilegeId: string) =>
    new VimFault('NoPermission', `Permission to perform this operation was denied.`, { object: obj, privilegeId }),
  applicationQuiesce: () =>
    new VimFault(
      'ApplicationQuiesceFault',
      "An error occurred while quiescing the virtual machine. See the virtual machine's event log for details.",
    ),
  toolsUnavailable: () => new VimFault('ToolsUnavailable', 'The guest tools are not running.'),
  notFoundGeneric: (message: string) => new VimFault('NotFound', message),
  internal: (message: string) => new VimFault('SystemError', `A general system error occurred: ${message}`, { reason: message }),
};
