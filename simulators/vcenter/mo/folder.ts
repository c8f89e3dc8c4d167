import { arrayOf, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import type { Args } from '../soap/args.ts';
import { ManagedEntity } from './entity.ts';
import { createVm } from './create-vm.ts';
import { registerVm } from './clone-vm.ts';
import { VimFault } from '../soap/faults.ts';

/** A Folder; its children are a function so VMs created later appear in it. */
export class Folder extends ManagedEntity {
  constructor(
    engine: SoapEngine,
    value: string,
    name: string,
    parent: MoRef | undefined,
    readonly childType: string[],
    readonly childEntity: () => MoRef[],
  ) {
    super(engine, 'Folder', value, () => name, () => parent);
    this.expose({
      childType: () => arrayOf('string', childType),
      childEntity: () => arrayOf('ManagedObjectReference', childEntity()),
    });
  }

  override children(): MoRef[] {
    return this.childEntity();
  }

  CreateVM_Task(args: Args, call: CallContext): MoRef {
    if (!this.childType.includes('VirtualMachine')) throw new VimFault('NotSupported', 'The operation is not supported on the object.');
    return createVm(this, args, call);
  }

  RegisterVM_Task(args: Args, call: CallContext): MoRef {
    if (!this.childType.includes('VirtualMachine')) throw new VimFault('NotSupported', 'The operation is not supported on the object.');
    return registerVm(this, args, call);
  }
}
