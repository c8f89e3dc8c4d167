import { anyType, data, Typed, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

const EVAL_KEY = '00000-00000-00000-00000-00000';

/** LicenseManager: the evaluation license a fresh vCenter / ESXi runs under (what inventory tools list). */
export class LicenseManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'LicenseManager', id);
    const vc = engine.flavor === 'vcenter';
    const license = () =>
      data('LicenseManagerLicenseInfo', {
        licenseKey: EVAL_KEY,
        editionKey: 'eval',
        name: 'Evaluation Mode',
        total: 0,
        used: vc ? engine.world.inventory.hosts.length : 1,
        costUnit: '',
        properties: [data('KeyAnyValue', { key: 'expirationHours', value: anyType(new Typed('xsd:int', 1440)) })],
      });
    this.expose({
      licenses: () => [license()],
      evaluation: () => data('LicenseManagerEvaluationInfo', { properties: [data('KeyAnyValue', { key: 'expirationHours', value: anyType(new Typed('xsd:int', 1440)) })] }),
      source: () => data('EvaluationLicenseSource', { remainingHours: 1440 }),
      sourceAvailable: () => true,
      featureInfo: () => [],
      licensedEdition: () => (vc ? 'vc.eval' : 'esx.eval'),
      licenseAssignmentManager: () => undefined,
    });
    this.license = license;
  }

  private readonly license: () => DataObject;

  DecodeLicense(args: Args): DataObject {
    const key = args.str('licenseKey');
    if (key !== EVAL_KEY) throw Faults.invalidArgument('licenseKey', 'not a license this simulator knows');
    return this.license();
  }

  QueryLicenseUsage(): DataObject {
    return data('LicenseUsageInfo', { source: data('EvaluationLicenseSource', { remainingHours: 1440 }), sourceAvailable: true, reservationInfo: [], featureInfo: [] });
  }
}
