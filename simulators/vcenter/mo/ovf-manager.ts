import { data } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';

/** OvfManager: present so clients can dereference it; its operations belong to import/export (not here). */
export class OvfManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'OvfManager', id);
    const opt = (option: string) => data('OvfOptionInfo', { option, description: data('LocalizableMessage', { key: option, message: option }) });
    this.expose({ ovfImportOption: () => [opt('accept.all.eula')], ovfExportOption: () => [opt('extraconfig')] });
  }
}
