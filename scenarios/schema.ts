/**
 * The JSON schema of a scenario file (draft-07, validated with ajv). Every object is closed
 * (additionalProperties: false) so a misspelt key is an error with its line, not a silent no-op.
 * Steps are a discriminated union on `type`, so an error names the fields of that step type only.
 */
const ERROR_CLASSES = [
  'clock-skew', 'ntp-unavailable', 'activation', 'auth', 'tls', 'network', 'timeout', 'not-found', 'cbt', 'snapshot',
  'quiesce', 'ticket', 'nfc', 'cloud-unavailable', 'quota', 'integrity', 'guest', 'vss', 'sql', 'probe', 'invalid-state', 'internal',
];
const TRACE_KINDS = ['listen', 'connect', 'tls', 'request', 'response', 'bytes', 'close', 'fault', 'error', 'note'];

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' };
const name = { type: 'string', minLength: 1 };
const count = { type: 'integer', minimum: 0 };
const range = {
  oneOf: [count, { type: 'object', additionalProperties: false, minProperties: 1, properties: { min: count, max: count } }],
};
// Regular expressions and times are checked by the loader (it names the line), not by a format plugin.
const regex = { type: 'string', minLength: 1 };

const traceExpectation = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    kind: { enum: TRACE_KINDS },
    from: name,
    to: name,
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    summary: regex,
    absent: { type: 'boolean' },
    count: range,
  },
};

const faultSpec = {
  id,
  target: name,
  type: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
  params: { type: 'object' },
  remaining: { type: 'integer', minimum: 1 },
};

const stepExpect = {
  type: 'object',
  additionalProperties: false,
  properties: {
    outcome: { enum: ['succeeded', 'failed'] },
    errorClass: { enum: ERROR_CLASSES },
    message: regex,
    kind: { enum: ['full', 'incremental', 'fell-back'] },
    blocksUploaded: range,
    blocks: range,
    nfcResumes: range,
    target: { enum: ['cloudcache', 'cloud'] },
    quiesced: { type: 'boolean' },
    probe: { enum: ['open', 'closed', 'filtered', 'skipped'] },
    checksum: { const: 'equal' },
    chain: { type: 'array', items: { enum: ['full', 'diff', 'log', 'copy-only'] } },
    log: regex,
    trace: { type: 'array', items: traceExpectation },
  },
};

const stepBase = { type: {}, id, via: { enum: ['queue', 'direct'] }, expect: stepExpect };

function step(type: string, required: string[], props: Record<string, unknown>) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type', ...required],
    properties: { ...stepBase, type: { const: type }, ...props },
  };
}

export const STEP_SCHEMAS = [
  step('vm-backup', ['vm'], { vm: name, mode: { enum: ['auto', 'full', 'incremental'] }, takeOver: id }),
  step('sql-backup', ['vm', 'backup'], {
    vm: name,
    backup: { enum: ['full', 'diff', 'log', 'copy-only'] },
    instance: name,
    databases: { type: 'array', items: name, minItems: 1 },
  }),
  step('sql-restore', ['vm', 'database'], {
    vm: name,
    database: name,
    targetDatabase: name,
    instance: name,
    pointInTime: {
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['after'], properties: { after: id } },
        { type: 'object', additionalProperties: false, required: ['time'], properties: { time: { type: 'string', minLength: 1 } } },
      ],
    },
  }),
  step('dr-restore', [], { vm: name, from: id, newName: name }),
  step('guest-write', ['vm', 'percent', 'extents'], {
    vm: name,
    disk: count,
    percent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    extents: { type: 'integer', minimum: 1 },
  }),
  step('sql-transactions', ['vm', 'database', 'count'], { vm: name, database: name, count: { type: 'integer', minimum: 1 }, instance: name }),
  step('cbt-reset', ['vm'], { vm: name }),
  step('wait', ['ms'], { ms: { type: 'integer', minimum: 0, maximum: 60_000 } }),
  step('set-fault', ['fault'], {
    fault: { type: 'object', additionalProperties: false, required: ['target', 'type'], properties: faultSpec },
  }),
  step('clear-fault', [], { fault: id }),
  step('abandon-job', ['vm'], { vm: name }),
];

export const STEP_TYPES = STEP_SCHEMAS.map((s) => s.properties.type.const);

export const scenarioSchema = {
  $id: 'https://bpsim.dev/scenario.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'steps'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
    description: name,
    lab: {
      type: 'object',
      additionalProperties: false,
      properties: {
        seed: name,
        vms: { type: 'integer', minimum: 1, maximum: 1000 },
        hosts: { type: 'integer', minimum: 1, maximum: 16 },
        singleHost: { type: 'boolean' },
        without: { type: 'array', items: { enum: ['cloudcache', 'ntp', 'guests'] }, uniqueItems: true },
        lockout: { enum: ['vmware', 'off'] },
        timing: { enum: ['fast', 'standard', 'realistic'] },
        jobLeaseMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
        registration: {
          oneOf: [
            { const: 'vcenter' },
            { type: 'object', additionalProperties: false, required: ['standalone'], properties: { standalone: { type: 'string', pattern: '^esxi-[0-9]+$' } } },
          ],
        },
      },
    },
    proxy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        blockSize: { type: 'integer', minimum: 4096, maximum: 64 * 1024 * 1024 },
        transport: { enum: ['nbdssl', 'nbd'] },
        timeouts: {
          type: 'object',
          additionalProperties: false,
          properties: { task: count, guestStart: count, probe: count, drBoot: count, request: count },
        },
        ntp: { type: 'object', additionalProperties: false, properties: { maxSkewMs: count, warnSkewMs: count, timeoutMs: count } },
      },
    },
    faults: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['target', 'type'], properties: { ...faultSpec, from: id, until: id } },
    },
    steps: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['type'], discriminator: { propertyName: 'type' }, oneOf: STEP_SCHEMAS },
    },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        trace: { type: 'array', items: traceExpectation },
        faults: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: name, target: name } },
        },
      },
    },
  },
} as const;
