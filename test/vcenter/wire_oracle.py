#!/usr/bin/python3
"""The wire-shape oracle: walks every object of a vSphere endpoint and checks what it writes against
the vim25 type info that pyVmomi ships (read here, at test time: the independent truth, not bpsim's table).

Usage: wire_oracle.py CONFIG_JSON      CONFIG_JSON: {"ca", "endpoints": [{"name", "address", "port", "user", "password"}]}
       wire_oracle.py --self-test      proves the checker rejects wrong shapes (wrong xsi:type, untyped items...)
       wire_oracle.py --check-values   stdin: [{"moType", "path", "xml": "<val ...>"}]; checks each val against the
                                       type pyVmomi declares for that property path; prints [[problems]...]
Prints one JSON object: {"endpoints": {name: coverage}, "problems": [...], "notes": [...]}; exit 0 either way.

Per endpoint: RetrieveServiceContent; every reference in it must resolve (RetrievePropertiesEx of all its
declared properties succeeds). Then, from the root folder and those references, every object reachable
through reference-valued properties is visited; for each, every property its type declares (inherited
included) is read one by one (RetrievePropertiesEx): no fault (a declared path is always valid), and the
value matches the declared type: val's xsi:type (xsd:<primitive>, the enum's name, ManagedObjectReference,
ArrayOf<Item> for arrays, a data type derived from the declared one), every array item carrying its own
xsi:type under the item type's element name, primitives lexically valid, enum values within the enum,
data object fields declared by their type, in WSDL order, each (recursively) of its declared type.
For the first object of each type, every nested declared path (config.hardware.numCPU...) down to
NESTED_DEPTH is asked in one call: none may be InvalidProperty.
"""
import base64
import http.client
import json
import re
import ssl
import sys
import xml.etree.ElementTree as ET

from pyVmomi import VmomiSupport as V

NS = {'soapenv': 'http://schemas.xmlsoap.org/soap/envelope/', 'vim': 'urn:vim25'}
XSI_TYPE = '{http://www.w3.org/2001/XMLSchema-instance}type'
NESTED_DEPTH = 3
ENVELOPE = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>')
INT_RANGES = {'byte': 8, 'short': 16, 'int': 32, 'long': 64}
DATETIME = re.compile(r'^-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$')


def local(tag):
    return tag.split('}', 1)[-1]


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


def is_array(t):
    return isinstance(t, type) and issubclass(t, V.Array) and t is not V.Array


def is_mo(t):
    return isinstance(t, type) and issubclass(t, V.ManagedObject)


def is_enum(t):
    return isinstance(t, type) and issubclass(t, V.Enum)


def is_data(t):
    return isinstance(t, type) and issubclass(t, V.DataObject)


def wsdl(t):
    return V.GetWsdlName(t)


def enum_values(t):
    return {v for k, v in t.__dict__.items() if isinstance(v, t)}


def props_of(t):
    """Declared properties of a data or managed type, inherited first: [(name, type, flags)]."""
    return [(p.name, p.type, p.flags) for p in t._GetPropertyList()]


def vim_type(name):
    """A vim25 WSDL type name to its pyVmomi type (None when pyVmomi does not know it)."""
    try:
        return V.GetWsdlType('urn:vim25', name)
    except Exception:
        try:
            return V.GetWsdlType('http://www.w3.org/2001/XMLSchema', name)
        except Exception:
            return None


def primitive_name(t):
    """The XSD name of a primitive pyVmomi type ("int", "string"...), None for anything else."""
    if is_array(t) or is_mo(t) or is_enum(t) or is_data(t):
        return None
    name = wsdl(t)
    if name in ('TypeName', 'MethodName', 'PropertyPath'):
        return 'string'
    return name


class Checker:
    """Checks XML elements against declared pyVmomi types; collects problems."""

    def __init__(self):
        self.problems = []
        self.notes = set()
        self.values = 0
        self.items = 0

    def bad(self, where, msg):
        self.problems.append(f'{where}: {msg}')

    def value(self, el, t, where, any_pos):
        """`el` holds one value of declared type `t`; `any_pos`: the schema types the position anyType."""
        self.values += 1
        xsi = el.get(XSI_TYPE)
        if is_array(t):
            self.array(el, t, where, xsi)
            return
        if any_pos and xsi is None:
            self.bad(where, f'no xsi:type in an anyType position (declared {wsdl(t)})')
        if is_mo(t):
            ref_type = el.get('type')
            if any_pos and xsi is not None and xsi != 'ManagedObjectReference':
                self.bad(where, f'reference typed xsi:type="{xsi}", want ManagedObjectReference')
            if not ref_type or not (el.text or '').strip():
                self.bad(where, f'reference without type attribute or value (declared {wsdl(t)})')
                return
            rt = vim_type(ref_type)
            if rt is None or not is_mo(rt) or not issubclass(rt, t):
                self.bad(where, f'reference to {ref_type}, declared {wsdl(t)}')
            return
        if is_enum(t):
            if xsi is not None and xsi != wsdl(t):
                self.bad(where, f'enum typed xsi:type="{xsi}", want {wsdl(t)}')
            if (el.text or '') not in enum_values(t):
                self.bad(where, f'"{el.text}" is not a {wsdl(t)} value')
            return
        if is_data(t):
            actual = t
            if xsi is not None:
                actual = vim_type(xsi)
                if actual is None or not is_data(actual) or not issubclass(actual, t):
                    self.bad(where, f'data object typed xsi:type="{xsi}", declared {wsdl(t)}')
                    return
            self.data_object(el, actual, where)
            return
        name = primitive_name(t)
        if name == 'anyType':
            if xsi is None:
                self.bad(where, 'anyType value without xsi:type')
                return
            if xsi == 'ManagedObjectReference':
                actual = V.ManagedObject
            elif xsi == 'ArrayOfManagedObjectReference':
                actual = V.ManagedObject.Array
            else:
                actual = vim_type(xsi.split(':', 1)[-1])
            if actual is None:
                self.bad(where, f'anyType value typed with unknown xsi:type="{xsi}"')
                return
            if xsi.startswith('xsd:') != (primitive_name(actual) not in (None, 'anyType', 'ManagedObject')):
                self.bad(where, f'xsi:type="{xsi}": primitives take the xsd: prefix, vim types none')
            self.value(el, actual, where, True)
            return
        if xsi is not None and xsi != f'xsd:{name}':
            self.bad(where, f'xsi:type="{xsi}", declared xsd:{name}')
        self.primitive(el.text or '', name, where)

    def primitive(self, text, name, where):
        ok = True
        if name in INT_RANGES:
            bits = INT_RANGES[name]
            ok = re.fullmatch(r'-?\d+', text) is not None and -(1 << (bits - 1)) <= int(text) < (1 << (bits - 1))
        elif name == 'boolean':
            ok = text in ('true', 'false', '1', '0')
        elif name in ('double', 'float'):
            try:
                float(text)
            except ValueError:
                ok = False
        elif name == 'dateTime':
            ok = DATETIME.match(text) is not None
        elif name == 'base64Binary':
            try:
                base64.b64decode(text, validate=True)
            except Exception:
                ok = False
        if not ok:
            self.bad(where, f'"{text[:40]}" is not a valid xsd:{name}')

    def array(self, el, t, where, xsi):
        item = t.Item
        item_name = 'ManagedObjectReference' if is_mo(item) else (primitive_name(item) or wsdl(item))
        want = 'ArrayOf' + item_name[0].upper() + item_name[1:]
        if xsi != want:
            self.bad(where, f'array typed xsi:type="{xsi}", want {want}')
        for i, child in enumerate(el):
            self.items += 1
            if local(child.tag) != item_name:
                self.bad(f'{where}[{i}]', f'item element <{local(child.tag)}>, want <{item_name}>')
            if child.get(XSI_TYPE) is None:
                self.bad(f'{where}[{i}]', 'array item without its own xsi:type')
            self.value(child, item, f'{where}[{i}]', True)

    def data_object(self, el, t, where):
        declared = {name: (i, pt, flags) for i, (name, pt, flags) in enumerate(props_of(t))}
        seen = {}
        last = -1
        for child in el:
            name = local(child.tag)
            if name not in declared:
                self.bad(where, f'{wsdl(t)} has no field {name}')
                continue
            index, pt, _ = declared[name]
            if index < last:
                self.bad(where, f'field {name} out of WSDL order in {wsdl(t)}')
            last = index
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1 and not is_array(pt):
                self.bad(where, f'{wsdl(t)}.{name} is not an array but appears {seen[name]} times')
            item = pt.Item if is_array(pt) else pt
            self.value(child, item, f'{where}.{name}', primitive_name(item) == 'anyType')
        for name, (_, pt, flags) in declared.items():
            if not flags & V.F_OPTIONAL and name not in seen and not is_array(pt):
                self.notes.add(f'{wsdl(t)}.{name}: required field not written')


class Endpoint:
    def __init__(self, cfg, ca):
        ctx = ssl.create_default_context(cafile=ca)
        ctx.check_hostname = False
        self.conn = http.client.HTTPSConnection(cfg['address'], cfg['port'], context=ctx, timeout=120)
        self.cookie = None
        self.name = cfg['name']

    def call(self, body):
        """POSTs one request; returns (response element, fault element)."""
        headers = {'Content-Type': 'text/xml; charset=utf-8', 'SOAPAction': 'urn:vim25/6.7'}
        if self.cookie:
            headers['Cookie'] = self.cookie
        self.conn.request('POST', '/sdk', ENVELOPE.format(body), headers)
        res = self.conn.getresponse()
        raw = res.read()
        cookie = res.getheader('Set-Cookie')
        if cookie:
            self.cookie = cookie.split(';')[0]
        root = ET.fromstring(raw)
        body_el = root.find('soapenv:Body', NS)
        first = list(body_el)[0]
        if local(first.tag) == 'Fault':
            return None, first
        return first, None


def fault_text(fault):
    detail = fault.find('detail')
    kind = local(list(detail)[0].get(XSI_TYPE) or list(detail)[0].tag) if detail is not None and len(detail) else '?'
    return f'{kind}: {fault.findtext("faultstring")}'


def retrieve(ep, ref, paths):
    spec = ''.join(f'<pathSet>{esc(p)}</pathSet>' for p in paths)
    body = (f'<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">{esc(ep.pc)}</_this><specSet>'
            f'<propSet><type>{ref[0]}</type>{spec}</propSet><objectSet><obj type="{ref[0]}">{esc(ref[1])}</obj></objectSet>'
            '</specSet><options/></RetrievePropertiesEx>')
    return ep.call(body)


def nested_paths(t, prefix, depth, out):
    for name, pt, _ in props_of(t):
        path = f'{prefix}{name}'
        out.append(path)
        if depth > 1 and is_data(pt) and not is_array(pt):
            nested_paths(pt, path + '.', depth - 1, out)


def refs_in(el):
    for node in el.iter():
        if node.get('type') and local(node.tag) != 'obj' and (node.text or '').strip():
            yield (node.get('type'), node.text.strip())


def check_unauthenticated_session(ep, sm, checker):
    """currentSession read without a session: the property in missingSet with NotAuthenticated, no SOAP fault."""
    where = f'{ep.name}:SessionManager.currentSession (no session)'
    resp, fault = retrieve(ep, ('SessionManager', sm), ['currentSession'])
    if fault is not None:
        checker.bad(where, f'answered a SOAP fault: {fault_text(fault)}')
        return
    missing = [m for m in resp.iter('{urn:vim25}missingSet')]
    if len(missing) != 1 or missing[0].findtext('vim:path', namespaces=NS) != 'currentSession':
        checker.bad(where, 'want exactly one missingSet entry for currentSession')
        return
    checker.value(missing[0], V.GetVmodlType('vmodl.query.PropertyCollector.MissingProperty'), where, False)
    inner = missing[0].find('vim:fault/vim:fault', NS)
    if inner is None or inner.get(XSI_TYPE) != 'NotAuthenticated':
        checker.bad(where, 'missingSet fault is not NotAuthenticated')
    if list(resp.iter('{urn:vim25}propSet')):
        checker.bad(where, 'currentSession has a value without a session')


def check_pyvmomi_session_probe(cfg, ca, checker):
    """The real client: pyVmomi reads currentSession to test a saved session and expects NotAuthenticated raised."""
    from pyVmomi import SoapStubAdapter, vim
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    stub = SoapStubAdapter(host=cfg['address'], port=cfg['port'], sslContext=ctx, version=V.newestVersions.Get('vim'))
    si = vim.ServiceInstance('ServiceInstance', stub)
    where = f'{cfg["name"]}: pyVmomi sessionManager.currentSession without a session'
    try:
        si.RetrieveContent().sessionManager.currentSession
        checker.bad(where, 'did not raise')
    except vim.fault.NotAuthenticated:
        pass
    except Exception as err:
        checker.bad(where, f'raised {type(err).__name__}: {err}')


def walk(cfg, ca, checker):
    ep = Endpoint(cfg, ca)
    resp, fault = ep.call('<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>')
    if fault is not None:
        checker.bad(ep.name, f'RetrieveServiceContent: {fault_text(fault)}')
        return {}
    content = resp.find('vim:returnval', NS)
    checker.value(content, V.GetVmodlType('vim.ServiceInstanceContent'), f'{ep.name}:ServiceContent', False)
    sc_refs = list(refs_in(content))
    ep.pc = content.findtext('vim:propertyCollector', namespaces=NS)
    sm = content.findtext('vim:sessionManager', namespaces=NS)
    check_unauthenticated_session(ep, sm, checker)
    check_pyvmomi_session_probe(cfg, ca, checker)
    _, fault = ep.call(f'<Login xmlns="urn:vim25"><_this type="SessionManager">{esc(sm)}</_this>'
                       f'<userName>{esc(cfg["user"])}</userName><password>{esc(cfg["password"])}</password></Login>')
    if fault is not None:
        checker.bad(ep.name, f'Login: {fault_text(fault)}')
        return {}
    queue = [('ServiceInstance', 'ServiceInstance')] + sc_refs
    seen = set()
    types_done = set()
    paths_read = 0
    while queue:
        ref = queue.pop(0)
        if ref in seen:
            continue
        seen.add(ref)
        where = f'{ep.name}:{ref[0]}:{ref[1]}'
        t = vim_type(ref[0])
        if t is None or not is_mo(t):
            checker.notes.add(f'{ref[0]}: not a pyVmomi managed object type (not checked)')
            continue
        props = props_of(t)
        # Existence first: a reference that does not resolve faults ManagedObjectNotFound.
        resp, fault = retrieve(ep, ref, [])
        if fault is not None:
            checker.bad(where, f'does not resolve: {fault_text(fault)}')
            continue
        for name, pt, _ in props:
            resp, fault = retrieve(ep, ref, [name])
            paths_read += 1
            if fault is not None:
                checker.bad(f'{where}.{name}', f'declared property faults: {fault_text(fault)}')
                continue
            for oc in resp.iter('{urn:vim25}objects'):
                for ms in oc.findall('vim:missingSet', NS):
                    checker.bad(f'{where}.{name}', 'in missingSet')
                for ps in oc.findall('vim:propSet', NS):
                    val = ps.find('vim:val', NS)
                    if ps.findtext('vim:name', namespaces=NS) != name or val is None:
                        checker.bad(f'{where}.{name}', 'propSet without this name or a val')
                        continue
                    checker.value(val, pt, f'{where}.{name}', True)
                    queue.extend(r for r in refs_in(val) if r not in seen)
        if ref[0] not in types_done:
            types_done.add(ref[0])
            paths = []
            nested_paths(t, '', NESTED_DEPTH, paths)
            resp, fault = retrieve(ep, ref, paths)
            paths_read += len(paths)
            if fault is not None:
                checker.bad(where, f'nested declared paths fault: {fault_text(fault)}')
            else:
                types = {p: None for p in paths}
                for ps in resp.iter('{urn:vim25}propSet'):
                    name = ps.findtext('vim:name', namespaces=NS)
                    if name not in types:
                        checker.bad(where, f'answered a path not asked: {name}')
                        continue
                    pt = declared_path_type(ref[0], name)
                    checker.value(ps.find('vim:val', NS), pt, f'{where}.{name}', True)
    ep.call(f'<Logout xmlns="urn:vim25"><_this type="SessionManager">{esc(sm)}</_this></Logout>')
    return {'objects': len(seen), 'types': sorted(types_done), 'serviceContentRefs': len(sc_refs), 'pathsRead': paths_read}


SELF_TEST = [
    # (declared vmodl type, XML of the val, whether the checker must find a problem)
    ('vim.VirtualMachine.PowerState', '<val xsi:type="VirtualMachinePowerState">poweredOn</val>', False),
    ('vim.VirtualMachine.PowerState', '<val xsi:type="xsd:string">poweredOn</val>', True),
    ('vim.VirtualMachine.PowerState', '<val xsi:type="VirtualMachinePowerState">on</val>', True),
    ('vim.Network[]', '<val xsi:type="ArrayOfManagedObjectReference"></val>', False),
    ('vim.Network[]', '<val xsi:type="ArrayOfString"></val>', True),
    ('vim.Datastore[]', '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">d</ManagedObjectReference></val>', True),
    ('vim.Datastore[]', '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">d</ManagedObjectReference></val>', False),
    ('vim.Datastore[]', '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="HostSystem" xsi:type="ManagedObjectReference">h</ManagedObjectReference></val>', True),
    ('int[]', '<val xsi:type="ArrayOfLong"><long xsi:type="xsd:long">-1</long></val>', True),
    ('long', '<val xsi:type="xsd:int">5</val>', True),
    ('anyType', '<val xsi:type="ManagedObjectReference" type="VirtualMachineSnapshot">snapshot-1</val>', False),
    ('anyType', '<val type="VirtualMachineSnapshot">snapshot-1</val>', True),
    ('int', '<val xsi:type="xsd:int">3000000000</val>', True),
    ('vim.vm.RuntimeInfo', '<val xsi:type="VirtualMachineRuntimeInfo"><powerState>poweredOn</powerState><connectionState>connected</connectionState></val>', True),
    ('vim.vm.RuntimeInfo', '<val xsi:type="VirtualMachineRuntimeInfo"><connectionState>connected</connectionState><powerState>poweredOn</powerState><bogus>1</bogus></val>', True),
    ('vim.vm.device.VirtualDevice[]', '<val xsi:type="ArrayOfVirtualDevice"><VirtualDevice xsi:type="VirtualDisk"><key>2000</key><capacityInKB>1</capacityInKB></VirtualDevice></val>', False),
    ('vim.vm.device.VirtualDevice[]', '<val xsi:type="ArrayOfVirtualDisk"><VirtualDisk xsi:type="VirtualDisk"><key>2000</key></VirtualDisk></val>', True),
]


def self_test():
    failures = []
    for type_name, xml, must_fail in SELF_TEST:
        el = ET.fromstring(xml.replace('<val ', '<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ', 1))
        c = Checker()
        c.value(el, V.GetVmodlType(type_name), 'val', True)
        if bool(c.problems) != must_fail:
            failures.append({'type': type_name, 'xml': xml, 'problems': c.problems})
    print(json.dumps({'cases': len(SELF_TEST), 'failures': failures}))


def declared_path_type(mo_type, path):
    t = vim_type(mo_type)
    for seg in path.split('.'):
        t = dict((n, x) for n, x, _ in props_of(t))[seg]
    return t


def check_values():
    out = []
    for case in json.load(sys.stdin):
        c = Checker()
        el = ET.fromstring(case['xml'].replace('<val', '<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', 1))
        c.value(el, declared_path_type(case['moType'], case['path']), f"{case['moType']}.{case['path']}", True)
        out.append(c.problems)
    print(json.dumps(out))


def main():
    if sys.argv[1] == '--self-test':
        self_test()
        return
    if sys.argv[1] == '--check-values':
        check_values()
        return
    cfg = json.load(open(sys.argv[1]))
    checker = Checker()
    coverage = {}
    for ep in cfg['endpoints']:
        coverage[ep['name']] = walk(ep, cfg['ca'], checker)
        coverage[ep['name']]['values'] = checker.values
        coverage[ep['name']]['arrayItems'] = checker.items
    print(json.dumps({'endpoints': coverage, 'problems': checker.problems, 'notes': sorted(checker.notes)}))


if __name__ == '__main__':
    main()
