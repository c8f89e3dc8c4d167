import { describe, expect, test } from 'vitest';
import {
  AnyType, Declared, MoRef, RawXml, Typed, TypeTable, XmlRejected, anyType, arrayOf, asList, data, escapeXml, faultEnvelope, isXObject,
  itemTypeOf, parseSoap, requestEnvelope, responseEnvelope, responseEnvelopeBytes, responseEnvelopeParts, toXValue, vim25Types, writeElement, writeElementBytes,
} from '../../simulators/core/codecs/vim25/index.ts';

/*
 * The vim25 codec called directly (no lab, so a mutation run loads little). Every expected XML
 * string is written by hand from vCenter's wire form (docs/vcenter.md, "Wire") and the WSDL's
 * property order as pyVmomi lists it; the readers' inputs are hand-written SOAP.
 */
const ENV_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n';
const ENV_CLOSE = '\n</soapenv:Body>\n</soapenv:Envelope>';
const soap = (body: string) => `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

describe('values', () => {
  test('MoRef: text form, JSON, equality by type and value only', () => {
    const r = new MoRef('VirtualMachine', 'vm-1');
    expect([r.toString(), JSON.stringify({ r })]).toEqual(['VirtualMachine:vm-1', '{"r":"VirtualMachine:vm-1"}']);
    expect(r.equals(new MoRef('VirtualMachine', 'vm-1'))).toBe(true);
    expect(r.equals(new MoRef('HostSystem', 'vm-1'))).toBe(false);
    expect(r.equals(new MoRef('VirtualMachine', 'vm-2'))).toBe(false);
    expect(r.equals({ type: 'VirtualMachine', value: 'vm-1' })).toBe(false);
  });

  test('tags and wrappers serialize to JSON as their plain value', () => {
    expect(data('KeyValue', { key: 'k' })).toEqual({ key: 'k', _type: 'KeyValue' });
    expect(JSON.stringify([new Typed('xsd:long', 5), new AnyType('a'), new Declared(true, vim25Types().pathType('VirtualMachine', 'name')!)])).toBe('[5,"a",true]');
    expect(anyType(undefined)).toBeUndefined();
    expect(anyType(0)).toEqual(new AnyType(0));
  });

  test('item types: the tag, else guessed from the first item', () => {
    expect(itemTypeOf(arrayOf('HostSystem', [new MoRef('HostSystem', 'h')]))).toBe('HostSystem');
    expect(itemTypeOf([new MoRef('HostSystem', 'h')])).toBe('ManagedObjectReference');
    expect(itemTypeOf([false])).toBe('boolean');
    expect(itemTypeOf([3])).toBe('long');
    expect(itemTypeOf([3.5])).toBe('double');
    expect(itemTypeOf([new Date(0)])).toBe('dateTime');
    expect(itemTypeOf([{ _type: 'KeyValue' }])).toBe('KeyValue');
    expect(itemTypeOf([{ key: 'k' }])).toBe('string');
    expect(itemTypeOf(['s'])).toBe('string');
    expect(itemTypeOf([])).toBe('string');
  });

  test('isXObject and asList', () => {
    expect([isXObject({}), isXObject(null), isXObject([]), isXObject(new MoRef('a', 'b')), isXObject('x')]).toEqual([true, false, false, false, false]);
    expect([asList(undefined), asList(''), asList('a'), asList(['a', 'b'])]).toEqual([[], [], ['a'], ['a', 'b']]);
  });
});

describe('reading SOAP', () => {
  test('DTDs and entity declarations are refused before parsing, in any case', () => {
    for (const xml of ['<!DOCTYPE x [<!ENTITY a "b">]><x/>', '<!doctype x><x/>', soap('<!EnTiTy a "b">')]) {
      const e = (() => { try { parseSoap(xml); } catch (err) { return err; } })() as XmlRejected;
      expect(e).toBeInstanceOf(XmlRejected);
      expect([e.reason, e.message]).toEqual(['dtd', 'DTDs and entity declarations are not allowed']);
    }
  });

  test('malformed XML and non-SOAP documents are refused with their reason', () => {
    const rejected = (xml: string) => { try { parseSoap(xml); } catch (err) { return err as XmlRejected; } throw new Error('accepted'); };
    const bad = rejected('<a><b></a>');
    expect(bad.reason).toBe('malformed');
    expect(bad.message).toMatch(/^malformed XML: \S/);
    expect(bad.message).not.toContain('\n');
    for (const xml of ['<foo/>', '<soapenv:Envelope xmlns:soapenv="x"><soapenv:Header/></soapenv:Envelope>', soap(''), '<Envelope><Body>text</Body></Envelope>']) {
      expect([rejected(xml).reason, rejected(xml).message]).toEqual(['not-soap', 'not a SOAP envelope with a body element']);
    }
  });

  test('a request: method name without prefix, references, repeated elements, nested objects with xsi:type', () => {
    const m = parseSoap(soap(
      '<vim25:RetrievePropertiesEx xmlns:vim25="urn:vim25"><vim25:_this type="PropertyCollector">propertyCollector</vim25:_this>' +
      '<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet></propSet>' +
      '<objectSet xsi:type="ObjectSpec"><obj type="VirtualMachine">vm-7</obj><skip>false</skip></objectSet></specSet>' +
      '<options/></vim25:RetrievePropertiesEx>',
    ));
    expect(m.name).toBe('RetrievePropertiesEx');
    expect(m.body).toEqual({
      _this: new MoRef('PropertyCollector', 'propertyCollector'),
      specSet: {
        propSet: { type: 'VirtualMachine', pathSet: ['name', 'runtime.powerState'] },
        objectSet: { _type: 'ObjectSpec', obj: new MoRef('VirtualMachine', 'vm-7'), skip: 'false' },
      },
      options: '',
    });
  });

  test('typed empty elements, arrays and text', () => {
    const body = parseSoap(soap(
      '<R><a xsi:type="ObjectSpec"/><b xsi:type="xsd:string"/><c xsi:type="ArrayOfString"/><d type="Folder"/>' +
      '<e xsi:type="ArrayOfString"><string>x</string><string>y</string></e><f xsi:type="ArrayOfString"><string>z</string></f>' +
      '<g xsi:type="ArrayOfAnyType"><anyType xsi:type="xsd:int">1</anyType><anyType xsi:type="xsd:string">s</anyType></g>' +
      '<h xsi:type="xsd:int">7</h><i xsi:type="anyType"/><j xsi:type="int"/></R>',
    )).body;
    expect(body).toEqual({ a: { _type: 'ObjectSpec' }, b: '', c: [], d: new MoRef('Folder', ''), e: ['x', 'y'], f: ['z'], g: ['1', 's'], h: '7', i: '', j: '' });
  });

  test('a body whose first element is only text reads as an empty object; entities are decoded', () => {
    expect(parseSoap(soap('<Logout>text</Logout>'))).toEqual({ name: 'Logout', body: {} });
    expect(parseSoap(soap('<Login><userName>a&amp;b&lt;c&gt;&quot;</userName></Login>')).body).toEqual({ userName: 'a&b<c>"' });
  });

  test('values: enums in anyType positions keep their text; attributes other than types are ignored; text is not parsed', () => {
    const body = parseSoap(soap(
      '<R><val xsi:type="VirtualMachinePowerState">poweredOn</val><h foo="1">x</h><z xsi:type="ArrayOfString"><string>zz</string></z>' +
      '<key>007</key><n xsi:type="xsd:long">0012</n></R>',
    )).body;
    expect(body).toEqual({ val: 'poweredOn', h: 'x', z: ['zz'], key: '007', n: '0012' });
  });

  test('an empty element typed as any XML Schema primitive is an empty value, not a data object', () => {
    for (const t of ['string', 'int', 'long', 'short', 'byte', 'boolean', 'double', 'float', 'dateTime', 'base64Binary', 'anyType']) {
      expect(parseSoap(soap(`<R><v xsi:type="xsd:${t}"/></R>`)).body).toEqual({ v: '' });
    }
    expect(parseSoap(soap('<R><v xsi:type="KeyValue"/></R>')).body).toEqual({ v: { _type: 'KeyValue' } });
  });

  test('the envelope, its body and the method are found by name, not position', () => {
    const notSoap = (xml: string) => expect(() => parseSoap(xml)).toThrow('not a SOAP envelope with a body element');
    notSoap('<Letter><Body><Login/></Body></Letter>');
    notSoap('<Envelope><Header><Login/></Header></Envelope>');
    expect(parseSoap('<Envelope><Header><Auth/></Header><Body><Login/></Body></Envelope>').name).toBe('Login');
    expect(parseSoap('<Envelope><Body xmlns:v="urn:vim25"><v:Login><userName>u</userName></v:Login></Body></Envelope>')).toEqual({ name: 'Login', body: { userName: 'u' } });
    expect(parseSoap('<Envelope><Body>stray<Login/></Body></Envelope>').name).toBe('Login');
  });

  test('toXValue on parser leaves', () => {
    expect([toXValue(null), toXValue(undefined), toXValue(5), toXValue('s')]).toEqual(['', '', '5', 's']);
  });
});

describe('writing vim25 values', () => {
  test('escaping: the four characters XML needs, nothing else', () => {
    expect(escapeXml('a&b<c>d"e\'f')).toBe('a&amp;b&lt;c&gt;d&quot;e\'f');
    expect(escapeXml('plain')).toBe('plain');
  });

  test('primitives in typed positions carry no xsi:type; in anyType positions they do, by the JS value', () => {
    expect(writeElement('n', 'a<b')).toBe('<n>a&lt;b</n>');
    expect(writeElement('n', 'a<b', true)).toBe('<n xsi:type="xsd:string">a&lt;b</n>');
    expect(writeElement('n', 5)).toBe('<n>5</n>');
    expect(writeElement('n', true)).toBe('<n>true</n>');
    expect(writeElement('n', false, true)).toBe('<n xsi:type="xsd:boolean">false</n>');
    expect(writeElement('n', 1.5, true)).toBe('<n xsi:type="xsd:double">1.5</n>');
    expect(writeElement('n', 2147483647, true)).toBe('<n xsi:type="xsd:int">2147483647</n>');
    expect(writeElement('n', -2147483648, true)).toBe('<n xsi:type="xsd:int">-2147483648</n>');
    expect(writeElement('n', 2147483648, true)).toBe('<n xsi:type="xsd:long">2147483648</n>');
    expect(writeElement('n', -2147483649, true)).toBe('<n xsi:type="xsd:long">-2147483649</n>');
    expect([writeElement('n', null), writeElement('n', undefined), writeElement('n', () => 1)]).toEqual(['', '', '']);
  });

  test('references, dates, typed and raw values', () => {
    const r = new MoRef('VirtualMachine', 'vm-<1>');
    expect(writeElement('obj', r)).toBe('<obj type="VirtualMachine">vm-&lt;1&gt;</obj>');
    expect(writeElement('val', r, true)).toBe('<val type="VirtualMachine" xsi:type="ManagedObjectReference">vm-&lt;1&gt;</val>');
    const d = new Date(Date.UTC(2026, 10, 1, 2, 3, 4));
    expect(writeElement('t', d)).toBe('<t>2026-11-01T02:03:04.000Z</t>');
    expect(writeElement('t', d, true)).toBe('<t xsi:type="xsd:dateTime">2026-11-01T02:03:04.000Z</t>');
    expect(writeElement('v', new Typed('xsd:long', 5))).toBe('<v>5</v>');
    expect(writeElement('v', new Typed('xsd:long', 5), true)).toBe('<v xsi:type="xsd:long">5</v>');
    expect(writeElement('v', new Typed('xsd:string', '<'), true)).toBe('<v xsi:type="xsd:string">&lt;</v>');
    expect(writeElement('v', new AnyType(7))).toBe('<v xsi:type="xsd:int">7</v>');
    expect(writeElement('v', new RawXml('KeyValue', Buffer.from('<key>é</key>')))).toBe('<v xsi:type="KeyValue"><key>é</key></v>');
    expect(writeElement('w', new RawXml('KeyValue', Buffer.from('<key>b</key>')))).toBe('<w xsi:type="KeyValue"><key>b</key></w>');
    expect(writeElement('w', new RawXml('Description', Buffer.from('')))).toBe('<w xsi:type="Description"></w>');
  });

  test('bytes: base64Binary text, or one signed xsd:byte per byte for a byte[] property', () => {
    const b = new Uint8Array([0, 127, 128, 255]);
    expect(writeElement('scriptCheckSum', b)).toBe('<scriptCheckSum>AH+A/w==</scriptCheckSum>');
    expect(writeElement('x', b.subarray(1, 3), true)).toBe('<x xsi:type="xsd:base64Binary">f4A=</x>');
    expect(writeElement('h', data('HostConfigInfo', { certificate: b }))).toBe(
      '<h xsi:type="HostConfigInfo"><certificate>0</certificate><certificate>127</certificate><certificate>-128</certificate><certificate>-1</certificate></h>',
    );
  });

  test('declared types from the table type anyType positions: enums, dateTimes, references', () => {
    const t = vim25Types();
    expect(writeElement('val', new Declared('poweredOn', t.pathType('VirtualMachine', 'runtime.powerState')!))).toBe('<val xsi:type="VirtualMachinePowerState">poweredOn</val>');
    expect(writeElement('val', new Declared(Date.UTC(2026, 0, 2), t.pathType('VirtualMachine', 'runtime.bootTime')!))).toBe('<val xsi:type="xsd:dateTime">2026-01-02T00:00:00.000Z</val>');
    expect(writeElement('val', new Declared(5, t.pathType('VirtualMachine', 'runtime.maxCpuUsage')!))).toBe('<val xsi:type="xsd:int">5</val>');
    expect(writeElement('val', new Declared(5, t.pathType('VirtualMachine', 'runtime.memoryOverhead')!))).toBe('<val xsi:type="xsd:long">5</val>');
    expect(writeElement('val', new Declared(true, t.pathType('VirtualMachine', 'runtime.paused')!))).toBe('<val xsi:type="xsd:boolean">true</val>');
    expect(writeElement('val', new Declared(new MoRef('HostSystem', 'host-1'), t.pathType('VirtualMachine', 'runtime.host')!))).toBe(
      '<val type="HostSystem" xsi:type="ManagedObjectReference">host-1</val>',
    );
    // A string in a position declared as a data object or anyType keeps the JS value's type.
    expect(writeElement('val', new Declared('x', t.pathType('TaskInfo', 'result') ?? { type: 'anyType', array: false, ref: false, index: 0, kind: 'primitive', xsi: 'xsd:anyType' }))).toBe('<val xsi:type="xsd:string">x</val>');
    expect(writeElement('val', new Declared('x', t.info('VirtualMachine')!.props.get('runtime')!))).toBe('<val xsi:type="xsd:string">x</val>');
    expect(writeElement('val', new Declared('x', t.info('VirtualMachine')!.props.get('resourcePool')!))).toBe('<val xsi:type="xsd:string">x</val>');
  });

  test('arrays: repeated elements in a field; ArrayOfX with typed items in an anyType position', () => {
    expect(writeElement('pathSet', ['a', 'b'])).toBe('<pathSet>a</pathSet><pathSet>b</pathSet>');
    expect(writeElement('val', arrayOf('string', ['a']), true)).toBe('<val xsi:type="ArrayOfString"><string xsi:type="xsd:string">a</string></val>');
    // An undeclared primitive array: every item takes the array's type, so small numbers are still xsd:long.
    expect(writeElement('val', [1, 2], true)).toBe('<val xsi:type="ArrayOfLong"><long xsi:type="xsd:long">1</long><long xsi:type="xsd:long">2</long></val>');
    expect(writeElement('val', [new MoRef('Datastore', 'ds-1')], true)).toBe(
      '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">ds-1</ManagedObjectReference></val>',
    );
    expect(writeElement('val', [data('KeyValue', { key: 'k', value: 'v' })], true)).toBe(
      '<val xsi:type="ArrayOfKeyValue"><KeyValue xsi:type="KeyValue"><key>k</key><value>v</value></KeyValue></val>',
    );
    const t = vim25Types();
    // Declared arrays: the item type from the table (a reference array holds ManagedObjectReference items).
    expect(writeElement('val', new Declared([new MoRef('Task', 'task-1')], t.pathType('VirtualMachine', 'recentTask')!))).toBe(
      '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Task" xsi:type="ManagedObjectReference">task-1</ManagedObjectReference></val>',
    );
    expect(writeElement('val', new Declared([3], t.pathType('VirtualMachine', 'effectiveRole')!))).toBe('<val xsi:type="ArrayOfInt"><int xsi:type="xsd:int">3</int></val>');
    expect(writeElement('val', new Declared(['a'], t.pathType('Folder', 'childType')!))).toBe('<val xsi:type="ArrayOfString"><string xsi:type="xsd:string">a</string></val>');
    expect(writeElement('val', [], true)).toBe('<val xsi:type="ArrayOfString"></val>');
    // A declared anyType[] (VirtualMachineMessage.argument) in an anyType position: ArrayOfAnyType, each item typed by its value.
    const argument = t.info('VirtualMachineMessage')!.props.get('argument')!;
    expect(writeElement('val', new Declared(['disk', 3], argument))).toBe(
      '<val xsi:type="ArrayOfAnyType"><anyType xsi:type="xsd:string">disk</anyType><anyType xsi:type="xsd:int">3</anyType></val>',
    );
    // As a field it stays a repeated element whose items carry their own xsi:type.
    expect(writeElement('m', data('VirtualMachineMessage', { id: 'msg.x', argument: ['disk', true], text: 'x' }))).toBe(
      '<m xsi:type="VirtualMachineMessage"><id>msg.x</id><argument xsi:type="xsd:string">disk</argument><argument xsi:type="xsd:boolean">true</argument><text>x</text></m>',
    );
  });

  test('data objects: xsi:type, fields in WSDL order (base first), unknown fields last, anyType fields typed', () => {
    expect(writeElement('d', data('ElementDescription', { key: 'k', summary: 's', label: 'l' }))).toBe(
      '<d xsi:type="ElementDescription"><label>l</label><summary>s</summary><key>k</key></d>',
    );
    expect(writeElement('d', data('ElementDescription', { label: 'l', summary: 's', key: 'k' }))).toBe(
      '<d xsi:type="ElementDescription"><label>l</label><summary>s</summary><key>k</key></d>',
    );
    expect(writeElement('d', data('ElementDescription', { extra: 'x', key: 'k', label: 'l' }))).toBe(
      '<d xsi:type="ElementDescription"><label>l</label><key>k</key><extra>x</extra></d>',
    );
    expect(writeElement('d', data('ElementDescription', { label: 'l', extra: 'x', key: 'k' }))).toBe(
      '<d xsi:type="ElementDescription"><label>l</label><key>k</key><extra>x</extra></d>',
    );
    expect(writeElement('p', data('DynamicProperty', { val: 5, name: 'n' }))).toBe('<p xsi:type="DynamicProperty"><name>n</name><val xsi:type="xsd:int">5</val></p>');
    expect(writeElement('p', data('DynamicProperty', { name: 'n', val: 'v' }))).toBe('<p xsi:type="DynamicProperty"><name>n</name><val xsi:type="xsd:string">v</val></p>');
    expect(writeElement('o', data('OptionValue', { key: 'k', value: new MoRef('Folder', 'f') }))).toBe(
      '<o xsi:type="OptionValue"><key>k</key><value type="Folder" xsi:type="ManagedObjectReference">f</value></o>',
    );
    // Unknown types and untyped objects: fields as given, typed by their JS values only when asked.
    expect(writeElement('x', { _type: 'NoSuchType', b: 1, a: 'z' })).toBe('<x xsi:type="NoSuchType"><b>1</b><a>z</a></x>');
    expect(writeElement('x', { b: 1, a: 'z' })).toBe('<x><b>1</b><a>z</a></x>');
    // A nested data field without _type takes its declared type.
    expect(writeElement('e', data('Extension', { description: { label: 'L', summary: 'S' }, key: 'k' }))).toBe(
      '<e xsi:type="Extension"><description xsi:type="Description"><label>L</label><summary>S</summary></description><key>k</key></e>',
    );
    // An anyType[] property: repeated elements, each typed by its value.
    expect(writeElement('m', data('VirtualMachineMessage', { id: 'msg.1', argument: ['a', 5], text: 't' }))).toBe(
      '<m xsi:type="VirtualMachineMessage"><id>msg.1</id><argument xsi:type="xsd:string">a</argument><argument xsi:type="xsd:int">5</argument><text>t</text></m>',
    );
    // A field whose items are data objects with anyType values.
    expect(writeElement('f', data('LocalizableMessage', { key: 'k', arg: [data('KeyAnyValue', { key: 'a', value: 1 })] }))).toBe(
      '<f xsi:type="LocalizableMessage"><key>k</key><arg xsi:type="KeyAnyValue"><key>a</key><value xsi:type="xsd:int">1</value></arg></f>',
    );
  });

  test('bytes form: the same text, with prefix and suffix, long strings and raw parts', () => {
    const long = 'x'.repeat(300);
    const v = [data('KeyValue', { key: long, value: 'é' }), data('KeyValue', { key: 'k', value: 'v' }), new RawXml('KeyValue', Buffer.from('<key>r</key>'))];
    const bytes = writeElementBytes('returnval', v, false, '<A>', '</A>');
    expect(bytes.toString('utf8')).toBe(
      `<A><returnval xsi:type="KeyValue"><key>${long}</key><value>é</value></returnval><returnval xsi:type="KeyValue"><key>k</key><value>v</value></returnval><returnval xsi:type="KeyValue"><key>r</key></returnval></A>`,
    );
    expect(writeElementBytes('n', 5).toString()).toBe('<n>5</n>');
    expect(writeElementBytes('n', 5, true).toString()).toBe('<n xsi:type="xsd:int">5</n>');
  });
});

describe('envelopes', () => {
  // A large pre-written result (64 KiB or more) goes out as five parts, its inner bytes not copied; a smaller one as one buffer.
  test('response parts: the same bytes either way; a large RawXml result is sent as its own buffer', () => {
    const RESP_OPEN = `${ENV_OPEN}<RetrievePropertiesExResponse xmlns="urn:vim25">`;
    const RESP_CLOSE = `</RetrievePropertiesExResponse>${ENV_CLOSE}`;
    const sized = (n: number) => Buffer.from(`<token>${'x'.repeat(n - 15)}</token>`);
    const small = new RawXml('RetrieveResult', sized(64 * 1024 - 1));
    const smallParts = responseEnvelopeParts('RetrievePropertiesEx', small);
    expect(smallParts).toHaveLength(1);
    expect(smallParts[0]!.toString()).toBe(`${RESP_OPEN}<returnval xsi:type="RetrieveResult">${small.inner}</returnval>${RESP_CLOSE}`);
    const large = new RawXml('RetrieveResult', sized(64 * 1024));
    const parts = responseEnvelopeParts('RetrievePropertiesEx', large);
    expect(parts.map((p) => p.toString())).toEqual([RESP_OPEN, '<returnval xsi:type="RetrieveResult">', large.inner.toString(), '</returnval>', RESP_CLOSE]);
    expect(parts[2]).toBe(large.inner);
    // Not a RawXml: one buffer, whatever its size.
    const text = 'y'.repeat(70 * 1024);
    expect(responseEnvelopeParts('Echo', text).map((p) => p.toString())).toEqual([`${ENV_OPEN}<EchoResponse xmlns="urn:vim25"><returnval>${text}</returnval></EchoResponse>${ENV_CLOSE}`]);
  });

  test('response, request and fault, as vCenter writes them', () => {
    expect(responseEnvelope('CurrentTime', new Date(Date.UTC(2026, 0, 1)))).toBe(
      `${ENV_OPEN}<CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-01T00:00:00.000Z</returnval></CurrentTimeResponse>${ENV_CLOSE}`,
    );
    expect(responseEnvelopeBytes('Logout', undefined).toString()).toBe(`${ENV_OPEN}<LogoutResponse xmlns="urn:vim25"></LogoutResponse>${ENV_CLOSE}`);
    expect(requestEnvelope('Login', new MoRef('SessionManager', 'SessionManager'), { userName: 'u', password: 'p&' })).toBe(
      `${ENV_OPEN}<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>u</userName><password>p&amp;</password></Login>${ENV_CLOSE}`,
    );
    expect(requestEnvelope('Logout', new MoRef('SessionManager', 'SessionManager'))).toBe(
      `${ENV_OPEN}<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>${ENV_CLOSE}`,
    );
    expect(faultEnvelope('InvalidPowerState', 'The attempted <operation>', { requestedState: 'poweredOn', existingState: 'poweredOff' })).toBe(
      `${ENV_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The attempted &lt;operation&gt;</faultstring>` +
      '<detail><InvalidPowerStateFault xmlns="urn:vim25" xsi:type="InvalidPowerState"><requestedState>poweredOn</requestedState><existingState>poweredOff</existingState></InvalidPowerStateFault></detail>' +
      `</soapenv:Fault>${ENV_CLOSE}`,
    );
    expect(faultEnvelope('InvalidRequest', 'm', {}, 'ClientFaultCode')).toBe(
      `${ENV_OPEN}<soapenv:Fault><faultcode>ClientFaultCode</faultcode><faultstring>m</faultstring><detail><InvalidRequestFault xmlns="urn:vim25" xsi:type="InvalidRequest"></InvalidRequestFault></detail></soapenv:Fault>${ENV_CLOSE}`,
    );
  });

  test('what the writer writes, the reader reads back', () => {
    const m = parseSoap(requestEnvelope('FindByUuid', new MoRef('SearchIndex', 'SearchIndex'), { uuid: '42<', vmSearch: true }));
    expect(m).toEqual({ name: 'FindByUuid', body: { _this: new MoRef('SearchIndex', 'SearchIndex'), uuid: '42<', vmSearch: 'true' } });
  });
});

describe('type table', () => {
  const t = vim25Types();

  test('kinds, bases, inherited properties first in WSDL order', () => {
    for (const p of ['string', 'boolean', 'byte', 'short', 'int', 'long', 'float', 'double', 'dateTime', 'base64Binary', 'anyURI', 'anyType']) expect(t.kind(p)).toBe('primitive');
    expect([t.kind('long'), t.kind('anyURI'), t.kind('VirtualMachinePowerState'), t.kind('KeyValue'), t.kind('Folder'), t.kind('Nope')]).toEqual(['primitive', 'primitive', 'enum', 'data', 'managed', undefined]);
    const ed = t.info('ElementDescription')!;
    expect([ed.name, ed.kind, ed.base]).toEqual(['ElementDescription', 'data', 'Description']);
    expect([...ed.props.keys()]).toEqual(['dynamicType', 'dynamicProperty', 'label', 'summary', 'key']);
    expect(ed.props.get('key')).toEqual({ type: 'string', array: false, ref: false, index: 4, kind: 'primitive', xsi: 'xsd:string' });
    expect(ed.props.get('dynamicProperty')).toEqual({ type: 'DynamicProperty', array: true, ref: false, index: 1, kind: 'data', xsi: 'DynamicProperty' });
    const folder = t.info('Folder')!;
    expect([folder.kind, folder.base]).toEqual(['managed', 'ManagedEntity']);
    expect(folder.props.get('childEntity')).toMatchObject({ type: 'ManagedEntity', array: true, ref: true, kind: 'managed', xsi: 'ManagedObjectReference' });
    expect(t.info('InvalidState')!.props.size).toBe(t.info('VimFault')!.props.size);
    expect(t.info('DataObject')).toMatchObject({ kind: 'data', base: undefined });
    expect(t.info('DataObject')!.props.size).toBe(0);
    expect([t.info('Nope'), t.info('Nope'), t.info('VirtualMachinePowerState'), t.info('toString'), t.info('constructor')]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(t.info('ElementDescription')).toBe(ed);
  });

  test('lineage, isA, enums', () => {
    expect([...t.lineage('InvalidPowerState')]).toEqual(['InvalidPowerState', 'InvalidState', 'VimFault', 'MethodFault', 'DynamicData', 'DataObject']);
    expect([t.isA('InvalidPowerState', 'MethodFault'), t.isA('KeyValue', 'MethodFault'), t.isA('Nope', 'Nope')]).toEqual([true, false, true]);
    expect(t.lineage('InvalidPowerState')).toBe(t.lineage('InvalidPowerState'));
    expect([t.isEnum('VirtualMachinePowerState'), t.isEnum('KeyValue'), t.isEnum('toString')]).toEqual([true, false, false]);
    expect([...t.enumValues('VirtualMachinePowerState')!]).toEqual(['poweredOff', 'poweredOn', 'suspended']);
    expect(t.enumValues('KeyValue')).toBeUndefined();
    expect(t.enumValues('VirtualMachinePowerState')).toBe(t.enumValues('VirtualMachinePowerState'));
    expect(t.source).toBe('pyVmomi type info, newest vim version vim.version.version13');
  });

  test('property paths: declared type, null when invalid, undefined for an unknown managed type', () => {
    expect(t.pathType('VirtualMachine', 'runtime.powerState')).toMatchObject({ type: 'VirtualMachinePowerState', kind: 'enum', xsi: 'VirtualMachinePowerState', array: false });
    expect(t.pathType('VirtualMachine', 'name')).toMatchObject({ type: 'string', xsi: 'xsd:string' });
    expect(t.pathType('VirtualMachine', 'runtime.nope')).toBeNull();
    expect(t.pathType('VirtualMachine', 'runtime.host.name')).toBeNull(); // below a reference
    expect(t.pathType('VirtualMachine', 'runtime.device.key')).toBeNull(); // below an array
    expect(t.pathType('VirtualMachine', '')).toBeNull();
    expect(t.pathType('NoSuchType', 'name')).toBeUndefined();
    expect(t.pathType('NoSuchType', 'name')).toBeUndefined();
    expect(t.pathType('VirtualMachine', 'runtime.nope')).toBeNull();
    expect(t.pathType('VirtualMachine', 'runtime.powerState')).toBe(t.pathType('VirtualMachine', 'runtime.powerState'));
  });

  test('a table from a hand-made raw form', () => {
    const mini = new TypeTable({
      source: 'mini',
      data: { A: 'DataObject|x:int;y:B[];z:@M', B: 'A|w:anyType;u:Unlisted', Rootless: '|r:short', Plain: '' },
      managed: { M: '|', N: '|b:B' },
      enum: { E: 'a,b' },
    });
    expect([...mini.info('Rootless')!.props.values()]).toEqual([{ type: 'short', array: false, ref: false, index: 0, kind: 'primitive', xsi: 'xsd:short' }]);
    expect([mini.info('Rootless')!.base, mini.info('Plain')!.base, mini.info('Plain')!.props.size]).toEqual([undefined, undefined, 0]);
    // A path through a type the table does not list ends there.
    expect(mini.pathType('N', 'b.u')).toMatchObject({ type: 'Unlisted', kind: undefined, xsi: 'Unlisted' });
    expect(mini.pathType('N', 'b.u.v')).toBeNull();
    expect([...mini.info('B')!.props.entries()].map(([k, p]) => `${k}:${p.type}${p.array ? '[]' : ''}${p.ref ? '@' : ''}#${p.index}/${p.kind}/${p.xsi}`)).toEqual([
      'x:int#0/primitive/xsd:int', 'y:B[]#1/data/B', 'z:M@#2/managed/ManagedObjectReference', 'w:anyType#3/primitive/xsd:anyType', 'u:Unlisted#4/undefined/Unlisted',
    ]);
    expect(mini.info('M')).toMatchObject({ kind: 'managed', base: undefined });
    expect(mini.info('M')!.props.size).toBe(0);
    expect([...mini.lineage('B')]).toEqual(['B', 'A', 'DataObject']);
    expect(mini.pathType('M', 'x')).toBeNull();
  });
});
