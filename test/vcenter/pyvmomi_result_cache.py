#!/usr/bin/python3
"""The same RetrievePropertiesEx call, made with pyVmomi before and after each kind of state change,
must show the change: bpsim caches listing results (collector/result-cache.ts) and must never serve
one made before the change.

Usage: pyvmomi_result_cache.py CONFIG_JSON
CONFIG_JSON: {"host", "port", "ca", "user", "password", "vm"}
Prints one JSON object per step; "need-..." steps wait for a line on stdin (the lab changes the disk model).
"""
import json
import ssl
import sys

from pyVim.connect import SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from pyvmomi_steps import need, out

cfg = json.load(open(sys.argv[1]))


ctx = ssl.create_default_context(cafile=cfg["ca"])
si = SmartConnect(host=cfg["host"], port=int(cfg["port"]), user=cfg["user"], pwd=cfg["password"], sslContext=ctx)
content = si.RetrieveContent()
pc = content.propertyCollector
view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)

# One spec object, sent unchanged every time: the very request a cache would answer.
spec = vmodl.query.PropertyCollector.FilterSpec(
    objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[
        vmodl.query.PropertyCollector.TraversalSpec(name="v", type=vim.view.ContainerView, path="view", skip=False)])],
    propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=[
        "name", "runtime.powerState", "config.hardware.numCPU", "snapshot", "config.hardware.device"])])
options = vmodl.query.PropertyCollector.RetrieveOptions()


def listing():
    """The watched VM's row of a full listing, plus how many VMs the listing had."""
    res = pc.RetrievePropertiesEx([spec], options)
    rows = {}
    while True:
        for o in res.objects:
            props = {p.name: p.val for p in o.propSet}
            rows[o.obj._moId] = {
                "name": props.get("name"),
                "power": props.get("runtime.powerState"),
                "cpus": props.get("config.hardware.numCPU"),
                "snapshot": props.get("snapshot") is not None,
                "changeIds": [d.backing.changeId for d in props.get("config.hardware.device", []) if isinstance(d, vim.vm.device.VirtualDisk)],
            }
        if not res.token:
            break
        res = pc.ContinueRetrievePropertiesEx(res.token)
    row = rows[cfg["vmId"]]
    row["count"] = len(rows)
    return row


vm = vim.VirtualMachine(cfg["vmId"], si._stub)
out("initial", **listing())
out("repeat", **listing())
WaitForTask(vm.PowerOffVM_Task())
out("power-off", **listing())
WaitForTask(vm.CreateSnapshot_Task(name="cache", description="", memory=False, quiesce=False))
out("snapshot", **listing())
need("need-write")
out("write", **listing())
need("need-cbt-reset")
out("cbt-reset", **listing())
# Rename as vSphere clients do it for a VM: ReconfigVM_Task with a new name.
WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(name="renamed-by-pyvmomi")))
out("rename", **listing())
WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=6)))
out("reconfig", **listing())
out("again", **listing())
