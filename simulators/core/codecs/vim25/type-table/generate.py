#!/usr/bin/python3
"""Writes vim25-types.json, the vim25 type table the SOAP serializer reads, from pyVmomi's type info.

Usage: /usr/bin/python3 generate.py > vim25-types.json   (Debian python3-pyvmomi)

Run offline, once per pyVmomi upgrade; the runtime only reads the JSON. Every vim and vmodl data
object, managed object and enum, each property with its declared WSDL type:
  "data"/"managed": {Name: "Base|prop:Type;prop:Type[];prop:@MoType;..."}  (own properties only;
                     "@" marks a managed object reference, "[]" an array; Base empty at the root)
  "enum":           {Name: "value,value,..."}
"""
import json
import sys

from pyVmomi import VmomiSupport as V

NAMESPACES = ('vim.', 'vmodl.')


def wanted(name):
    return name.startswith(NAMESPACES) or name in ('DataObject', 'ManagedObject')


def type_ref(t):
    """The declared type of a property as the table writes it."""
    suffix = ''
    if issubclass(t, V.Array) and t is not V.Array:
        t = t.Item
        suffix = '[]'
    if issubclass(t, V.ManagedObject):
        return '@' + V.GetWsdlName(t) + suffix
    name = V.GetWsdlName(t)
    # vmodl.TypeName / MethodName / PropertyPath travel as xsd:string.
    if name in ('TypeName', 'MethodName', 'PropertyPath'):
        name = 'string'
    return name + suffix


def own_props(t):
    base_props = set()
    for b in t.__bases__:
        for p in getattr(b, '_propList', []):
            base_props.add(p.name)
    return [p for p in t._propList if p.name not in base_props]


def base_name(t):
    b = t.__bases__[0]
    if b in (V.DataObject, V.ManagedObject, object):
        return V.GetWsdlName(b) if b is not object else ''
    return V.GetWsdlName(b)


def object_types(defs, root):
    """{WSDL name: "Base|props"} of the vim/vmodl types in one pyVmomi definition map."""
    out = {}
    for name in sorted(defs):
        if not wanted(name):
            continue
        t = V.GetVmodlType(name)
        if t is root:
            out[V.GetWsdlName(root)] = ''
            continue
        props = ';'.join(f'{p.name}:{type_ref(p.type)}' for p in own_props(t))
        out[V.GetWsdlName(t)] = f'{base_name(t)}|{props}'
    return out


def main():
    data = object_types(V._dataDefMap, V.DataObject)
    managed = object_types(V._managedDefMap, V.ManagedObject)
    enum = {}
    for name in sorted(V._enumDefMap):
        if not wanted(name):
            continue
        t = V.GetVmodlType(name)
        enum[V.GetWsdlName(t)] = ','.join(V._enumDefMap[name][3])
    out = {
        'source': f'pyVmomi type info, newest vim version {V.newestVersions.Get("vim")}',
        'data': data,
        'managed': managed,
        'enum': enum,
    }
    json.dump(out, sys.stdout, separators=(',', ':'), sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
