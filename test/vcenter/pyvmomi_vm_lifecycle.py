#!/usr/bin/python3
"""VM lifecycle and restore paths run with the official pyVmomi SDK against a bpsim vCenter or host agent.

Usage: pyvmomi_vm_lifecycle.py CONFIG_JSON
CONFIG_JSON: {"host", "port", "ca", "user", "password", "sections": [...], "hosts": {"esxi-01.lab.test": "127.x:443"},
              "linuxVm", "windowsVm", "linuxUser", "linuxPassword", "windowsUser", "windowsPassword"}
Prints one JSON object per step ({"step": name, ...}); faults are reported by their vim25 name, with
"task": true when the fault came back as the task's info.error. When the lab must change something the
SDK cannot (Tools stop, the guest writes), it prints {"step": "need-...", ...} and waits for a line on stdin.
"""
import hashlib
import http.client
import json
import os
import ssl
import sys
import time
from urllib.parse import urlparse

from pyVim.connect import SmartConnect, Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from pyvmomi_steps import need, out

cfg = json.load(open(sys.argv[1]))
ctx = ssl.create_default_context(cafile=cfg["ca"])
si = SmartConnect(host=cfg["host"], port=int(cfg["port"]), user=cfg["user"], pwd=cfg["password"], sslContext=ctx)
content = si.RetrieveContent()
esxi = content.about.apiType == "HostAgent"
dc = content.rootFolder.childEntity[0]
pool = dc.hostFolder.childEntity[0].resourcePool
PREFIX = "esx-" if esxi else "vc-"


def fault(fn):
    """The vim25 name of the fault fn raises (None when it succeeds)."""
    try:
        fn()
        return None
    except vmodl.MethodFault as e:
        return e._wsdlName


def task_fault(start):
    """{"task": bool, "fault": name}: did the method return a task whose error is the fault?"""
    try:
        task = start()
    except vmodl.MethodFault as e:
        return {"task": False, "fault": e._wsdlName}
    try:
        WaitForTask(task)
        return {"task": True, "fault": None}
    except vmodl.MethodFault as e:
        return {"task": True, "fault": e._wsdlName, "props": {k: getattr(e, k, None) for k in ("requestedState", "existingState", "deviceIndex", "file")}}


def find_vm(name):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return next((v for v in view.view if v.name == name), None)
    finally:
        view.Destroy()


def wait_power(vm, state):
    for _ in range(400):
        if vm.runtime.powerState == state:
            return True
        time.sleep(0.025)
    return False


def disks_of(vm):
    return [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]


def dev_spec(op, device, file_op=None):
    s = vim.vm.device.VirtualDeviceSpec(operation=op, device=device)
    if file_op:
        s.fileOperation = file_op
    return s


def new_disk(key, ctrl, kb, file_name="[datastore1]", unit=None):
    d = vim.vm.device.VirtualDisk(key=key, controllerKey=ctrl, capacityInKB=kb,
                                  backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(fileName=file_name, diskMode="persistent", thinProvisioned=True))
    if unit is not None:
        d.unitNumber = unit
    return d


def nic(cls, key, network="VM Network"):
    return cls(key=key, backing=vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(deviceName=network),
               connectable=vim.vm.device.VirtualDevice.ConnectInfo(startConnected=True))


def reconfig(vm, **kw):
    return task_fault(lambda: vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(**kw)))


def create_vm(name, disk_kb=(4096,), extra=()):
    changes = [dev_spec("add", vim.vm.device.ParaVirtualSCSIController(key=-100, busNumber=0, sharedBus="noSharing"))]
    changes += [dev_spec("add", new_disk(-(i + 1), -100, kb), "create") for i, kb in enumerate(disk_kb)]
    changes += [dev_spec("add", nic(vim.vm.device.VirtualVmxnet3, -200))] + list(extra)
    spec = vim.vm.ConfigSpec(name=name, guestId="otherLinux64Guest", numCPUs=1, memoryMB=512,
                             files=vim.vm.FileInfo(vmPathName="[datastore1]"), deviceChange=changes)
    task = dc.vmFolder.CreateVM_Task(config=spec, pool=pool)
    WaitForTask(task)
    return task.info.result


def https(url, method="GET", body=None, headers=None):
    """A request to a URL vSphere handed out: '*' and host names map to the lab's addresses."""
    u = urlparse(url)
    target = cfg["hosts"].get(u.hostname) if u.hostname != "*" else "%s:%s" % (cfg["host"], cfg["port"])
    h, p = target.rsplit(":", 1)
    conn = http.client.HTTPSConnection(h, int(p), context=ctx, timeout=60)
    conn.request(method, u.path + ("?" + u.query if u.query else ""), body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def section_create_and_devices():
    name = PREFIX + "restore01"
    vm = create_vm(name, disk_kb=(4096, 2048))
    files = [d.backing.fileName for d in disks_of(vm)]
    ctrls = [type(d).__name__ for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualController) and d.key >= 1000]
    nics = [d.backing.deviceName for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    out("create-vm", vm=vm._moId, files=files, controllers=ctrls, nics=nics, path=vm.config.files.vmPathName)
    out("create-duplicate", **task_fault(lambda: dc.vmFolder.CreateVM_Task(config=vim.vm.ConfigSpec(name=name, files=vim.vm.FileInfo(vmPathName="[datastore1]")), pool=pool)))

    # extraConfig and annotation are stored; an empty value removes a key.
    r1 = reconfig(vm, annotation="restored by bpsim", extraConfig=[vim.option.OptionValue(key="bpsim.a", value="1"), vim.option.OptionValue(key="bpsim.b", value="two")])
    before = {o.key: o.value for o in vm.config.extraConfig}
    r2 = reconfig(vm, extraConfig=[vim.option.OptionValue(key="bpsim.a", value="")])
    after = {o.key: o.value for o in vm.config.extraConfig}
    out("extra-config", set=r1, remove=r2, before=before, after=after, annotation=vm.config.annotation, summaryAnnotation=vm.summary.config.annotation)

    # Device changes: a second controller with a disk on it, an E1000 NIC, then a disk grown.
    scsi = vim.vm.device.VirtualLsiLogicSASController(key=-101, busNumber=1, sharedBus="noSharing")
    r = reconfig(vm, deviceChange=[dev_spec("add", scsi), dev_spec("add", new_disk(-5, -101, 1024), "create"), dev_spec("add", nic(vim.vm.device.VirtualE1000, -201))])
    d3 = [d for d in disks_of(vm) if d.capacityInKB == 1024][0]
    ctrl_types = sorted(type(d).__name__.split(".")[-1] for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualSCSIController))
    nic_types = sorted(type(d).__name__.split(".")[-1] for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard))
    d3ctrl = [d for d in vm.config.hardware.device if d.key == d3.controllerKey][0]
    out("add-devices", result=r, disk=d3.backing.fileName, diskKey=d3.key, controller=type(d3ctrl).__name__.split(".")[-1], busNumber=d3ctrl.busNumber, controllers=ctrl_types, nics=nic_types)
    d3.capacityInKB = 8192
    d3.capacityInBytes = None
    r = reconfig(vm, deviceChange=[dev_spec("edit", d3)])
    grown = [d for d in disks_of(vm) if d.key == d3.key][0]
    out("grow-disk", result=r, capacityInKB=grown.capacityInKB)

    # CBT on the new disk: snapshot, changed areas after a guest write, and an NFC ticket for it.
    reconfig(vm, changeTrackingEnabled=True)
    t = vm.CreateSnapshot_Task(name="s1", description="", memory=False, quiesce=False)
    WaitForTask(t)
    s1 = t.info.result
    sd = [d for d in s1.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk) and d.key == d3.key][0]
    c1 = sd.backing.changeId
    WaitForTask(s1.RemoveSnapshot_Task(removeChildren=False))
    need("need-write", vm=vm._moId, key=d3.key)
    t = vm.CreateSnapshot_Task(name="s2", description="", memory=False, quiesce=False)
    WaitForTask(t)
    s2 = t.info.result
    info = vm.QueryChangedDiskAreas(snapshot=s2, deviceKey=d3.key, startOffset=0, changeId=c1)
    WaitForTask(s2.RemoveSnapshot_Task(removeChildren=False))
    out("cbt-new-disk", changeId=c1, extents=[[a.start, a.length] for a in info.changedArea])

    # Faults, each as the task's error.
    shrink = [d for d in disks_of(vm) if d.key == d3.key][0]
    shrink.capacityInKB = 512
    shrink.capacityInBytes = None
    existing = disks_of(vm)[0].backing.fileName
    ghost = vim.vm.device.VirtualDisk(key=2999, controllerKey=1000, capacityInKB=1024)
    faults = {
        "shrink": reconfig(vm, deviceChange=[dev_spec("edit", shrink)]),
        "noController": reconfig(vm, deviceChange=[dev_spec("add", new_disk(-9, 1777, 1024), "create")]),
        "fileExists": reconfig(vm, deviceChange=[dev_spec("add", new_disk(-9, d3.controllerKey, 1024, file_name=existing), "create")]),
        "removeUnknown": reconfig(vm, deviceChange=[dev_spec("remove", ghost)]),
        "noOperation": reconfig(vm, deviceChange=[vim.vm.device.VirtualDeviceSpec(device=new_disk(-9, 1000, 1024))]),
        "unitTaken": reconfig(vm, deviceChange=[dev_spec("add", new_disk(-9, d3.controllerKey, 1024, unit=d3.unitNumber), "create")]),
    }
    vmx = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualVmxnet3)][0]
    as_e1000 = vim.vm.device.VirtualE1000(key=vmx.key, backing=vmx.backing)
    faults.update({
        "nicTypeChange": reconfig(vm, deviceChange=[dev_spec("edit", as_e1000)]),
        "nicNoBacking": reconfig(vm, deviceChange=[dev_spec("add", vim.vm.device.VirtualVmxnet3(key=-300))]),
        "attachMissing": reconfig(vm, deviceChange=[dev_spec("add", new_disk(-9, 1000, 1024, file_name="[datastore1] nope/nope.vmdk"))]),
        "unsupportedDevice": reconfig(vm, deviceChange=[dev_spec("add", vim.vm.device.VirtualCdrom(key=-400, controllerKey=200))]),
        "fileOpOnNic": reconfig(vm, deviceChange=[dev_spec("add", nic(vim.vm.device.VirtualVmxnet3, -301), "create")]),
        "busTaken": reconfig(vm, deviceChange=[dev_spec("add", vim.vm.device.ParaVirtualSCSIController(key=-102, busNumber=0, sharedBus="noSharing"))]),
        "controllerHasDisks": reconfig(vm, deviceChange=[dev_spec("remove", [d for d in vm.config.hardware.device if d.key == 1000][0])]),
    })
    t = vm.CreateSnapshot_Task(name="s3", description="", memory=False, quiesce=False)
    WaitForTask(t)
    grow = [d for d in disks_of(vm) if d.key == d3.key][0]
    grow.capacityInKB = 16384
    grow.capacityInBytes = None
    faults["growWithSnapshot"] = reconfig(vm, deviceChange=[dev_spec("edit", grow)])
    WaitForTask(t.info.result.RemoveSnapshot_Task(removeChildren=False))
    out("device-faults", **faults)
    # Detach (file kept) and attach again: the content comes back with it.
    d3 = [d for d in disks_of(vm) if d.key == d3.key][0]
    detach = reconfig(vm, deviceChange=[dev_spec("remove", d3)])
    attach = reconfig(vm, deviceChange=[dev_spec("add", new_disk(-9, d3.controllerKey, 0, file_name=d3.backing.fileName))])
    d3 = [d for d in disks_of(vm) if d.backing.fileName == d3.backing.fileName][0]
    out("reattach", detach=detach, attach=attach, key=d3.key, vm=vm._moId, capacityInKB=d3.capacityInKB)
    need("need-read", vm=vm._moId, key=d3.key, offset=1 << 20, length=64 * 1024)
    WaitForTask(vm.PowerOnVM_Task())
    ctrl = [d for d in vm.config.hardware.device if d.key == d3.controllerKey][0]
    out("hot-remove-controller", **reconfig(vm, deviceChange=[dev_spec("remove", ctrl)]))
    WaitForTask(vm.PowerOffVM_Task())
    e1000 = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualE1000)][0]
    r = reconfig(vm, deviceChange=[dev_spec("remove", [d for d in disks_of(vm) if d.key == d3.key][0], "destroy"), dev_spec("remove", e1000)])
    ctrl = [d for d in vm.config.hardware.device if d.key == d3.controllerKey][0]
    rc = reconfig(vm, deviceChange=[dev_spec("remove", ctrl)])
    out("remove-devices", result=r, removeController=rc, disks=len(disks_of(vm)), nics=len([d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]),
        controllers=len([d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualSCSIController)]))
    return vm


def section_power(vm):
    res = {
        "offPowerOff": task_fault(vm.PowerOffVM_Task),
        "offSuspend": task_fault(vm.SuspendVM_Task),
        "offReset": task_fault(vm.ResetVM_Task),
        "offShutdownGuest": fault(vm.ShutdownGuest),
        "offRebootGuest": fault(vm.RebootGuest),
        "powerOn": task_fault(vm.PowerOnVM_Task),
    }
    res["onPowerOn"] = task_fault(vm.PowerOnVM_Task)
    boot = vm.runtime.bootTime
    res["onReset"] = task_fault(vm.ResetVM_Task)
    res["resetKeepsOn"] = vm.runtime.powerState == "poweredOn" and vm.runtime.bootTime > boot
    res["suspend"] = task_fault(vm.SuspendVM_Task)
    res["suspendedState"] = vm.runtime.powerState
    res["suspendedSuspend"] = task_fault(vm.SuspendVM_Task)
    res["resume"] = task_fault(vm.PowerOnVM_Task)
    res["rebootGuest"] = fault(vm.RebootGuest)
    res["standbyGuest"] = fault(vm.StandbyGuest)
    res["standbyReached"] = wait_power(vm, "suspended")
    WaitForTask(vm.PowerOnVM_Task())
    res["shutdownGuest"] = fault(vm.ShutdownGuest)
    res["shutdownReached"] = wait_power(vm, "poweredOff")
    WaitForTask(vm.PowerOnVM_Task())
    need("need-tools-off", vm=vm._moId)
    res["toolsOffShutdown"] = fault(vm.ShutdownGuest)
    res["destroyOn"] = task_fault(vm.Destroy_Task)
    WaitForTask(vm.PowerOffVM_Task())
    out("power", **res)


def section_clone(vm):
    linux = find_vm(cfg["linuxVm"])
    name = PREFIX + "clone01"
    r = task_fault(lambda: linux.CloneVM_Task(folder=dc.vmFolder, name=name, spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=False, template=False)))
    clone = find_vm(name)
    if esxi:
        out("clone", result=r)
        return
    out("clone", result=r, vm=clone._moId, source=linux._moId, files=[d.backing.fileName for d in disks_of(clone)],
        keys=[d.key for d in disks_of(clone)], uuidDiffers=clone.config.uuid != linux.config.uuid, power=clone.runtime.powerState)
    out("clone-template-on", **task_fault(lambda: linux.CloneVM_Task(folder=dc.vmFolder, name=name + "t", spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=True, template=True))))
    out("clone-duplicate", **task_fault(lambda: linux.CloneVM_Task(folder=dc.vmFolder, name=name, spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=False, template=False))))

    # Templates: a template cannot power on; marking needs the VM off.
    res = {"markOn": fault(linux.MarkAsTemplate), "mark": fault(clone.MarkAsTemplate), "template": clone.config.template,
           "summaryTemplate": clone.summary.config.template}
    res["powerOnTemplate"] = task_fault(clone.PowerOnVM_Task)
    res["markAgain"] = fault(clone.MarkAsTemplate)
    res["unmark"] = fault(lambda: clone.MarkAsVirtualMachine(pool=pool))
    res["templateAfter"] = clone.config.template
    res["unmarkAgain"] = fault(lambda: clone.MarkAsVirtualMachine(pool=pool))
    out("template", **res)

    # Unregister keeps the files; RegisterVM_Task brings the VM back from its .vmx.
    path = clone.config.files.vmPathName
    res = {"unregisterOn": fault(linux.UnregisterVM), "unregister": fault(clone.UnregisterVM), "gone": find_vm(name) is None}
    res["registerUnknown"] = task_fault(lambda: dc.vmFolder.RegisterVM_Task(path="[datastore1] nothing/nothing.vmx", asTemplate=False, pool=pool))
    res["registerTakenName"] = task_fault(lambda: dc.vmFolder.RegisterVM_Task(path=path, name=cfg["linuxVm"], asTemplate=False, pool=pool))
    t = dc.vmFolder.RegisterVM_Task(path=path, asTemplate=False, pool=pool)
    WaitForTask(t)
    back = t.info.result
    res["registerAgain"] = task_fault(lambda: dc.vmFolder.RegisterVM_Task(path=path, asTemplate=False, pool=pool))
    out("register", path=path, vm=back._moId, name=back.name, files=[d.backing.fileName for d in disks_of(back)], **res)

    # A clone of a VM made here (from CreateVM) carries its devices.
    c2 = task_fault(lambda: vm.CloneVM_Task(folder=dc.vmFolder, name=PREFIX + "clone02", spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=True, template=False)))
    c = find_vm(PREFIX + "clone02")
    out("clone-created", result=c2, vm=c._moId, source=vm._moId, files=[d.backing.fileName for d in disks_of(c)], power=c.runtime.powerState,
        controllers=sorted(type(d).__name__.split(".")[-1] for d in c.config.hardware.device if isinstance(d, vim.vm.device.VirtualSCSIController)))


def wait_lease(lease):
    for _ in range(400):
        if lease.state != "initializing":
            return lease.state
        time.sleep(0.025)
    return lease.state


def section_lease(vm):
    linux = find_vm(cfg["linuxVm"])
    res = {"exportOn": fault(linux.ExportVm)}
    # Import: a new VM whose disk is written at the lease's URL.
    payload = os.urandom(1024 * 1024 + 512)
    cs = vim.vm.ConfigSpec(name=PREFIX + "import01", guestId="otherLinux64Guest", files=vim.vm.FileInfo(vmPathName="[datastore1]"), deviceChange=[
        dev_spec("add", vim.vm.device.ParaVirtualSCSIController(key=-100, busNumber=0, sharedBus="noSharing")),
        dev_spec("add", new_disk(-1, -100, 2048), "create")])
    lease = pool.ImportVApp(spec=vim.vm.VmImportSpec(configSpec=cs), folder=dc.vmFolder)
    res["importState"] = wait_lease(lease)
    urls = lease.info.deviceUrl
    res["importUrl"] = urls[0].url
    res["importDisk"] = urls[0].disk
    status, _ = https(urls[0].url, "PUT", payload, {"Content-Length": str(len(payload)), "Content-Type": "application/x-vnd.vmware-streamVmdk"})
    res["putStatus"] = status
    importing = find_vm(PREFIX + "import01")
    res["powerOnImporting"] = task_fault(importing.PowerOnVM_Task)
    lease.HttpNfcLeaseProgress(percent=100)
    res["manifestImport"] = fault(lease.HttpNfcLeaseGetManifest)
    res["progressBad"] = fault(lambda: lease.HttpNfcLeaseProgress(percent=150))
    lease.HttpNfcLeaseComplete()
    res["completeState"] = lease.state
    res["completeAgain"] = fault(lease.HttpNfcLeaseComplete)
    res["putAfterComplete"] = https(urls[0].url, "PUT", b"x", {"Content-Length": "1"})[0]
    imported = lease.info.entity if lease.info else find_vm(PREFIX + "import01")
    imported = find_vm(PREFIX + "import01")
    res["importedVm"] = imported._moId
    res["importedKey"] = disks_of(imported)[0].key
    res["uploadSha256"] = hashlib.sha256(payload).hexdigest()
    res["uploadBytes"] = len(payload)
    # Export that VM: the bytes read back are what was uploaded (then zeros to the disk's end).
    lease = imported.ExportVm()
    res["exportState"] = wait_lease(lease)
    res["exportTwice"] = fault(imported.ExportVm)
    info = lease.info
    dev = info.deviceUrl[0]
    res["exportUrl"] = dev.url
    res["exportTargetId"] = dev.targetId
    res["exportThumbprint"] = dev.sslThumbprint
    res["exportFileSize"] = dev.fileSize
    status, body = https(dev.url)
    res["getStatus"] = status
    res["exportSha256Head"] = hashlib.sha256(body[: len(payload)]).hexdigest()
    res["exportRestZero"] = body[len(payload):] == bytes(len(body) - len(payload))
    res["exportBytes"] = len(body)
    man = lease.HttpNfcLeaseGetManifest()
    res["manifest"] = [[e.key == dev.key, e.sha1 == hashlib.sha1(body).hexdigest(), e.size, e.disk] for e in man]
    res["putOnExport"] = https(dev.url, "PUT", b"x", {"Content-Length": "1"})[0]
    lease.HttpNfcLeaseComplete()
    res["getAfterComplete"] = https(dev.url)[0]
    # A seeded disk: a byte range of the linux VM's disk (powered off for the export).
    lease = None
    WaitForTask(linux.PowerOffVM_Task())
    lease = linux.ExportVm()
    wait_lease(lease)
    dev = lease.info.deviceUrl[0]
    status, body = https(dev.url, "GET", None, {"Range": "bytes=0-4194303"})
    res["rangeStatus"] = status
    res["rangeSha256"] = hashlib.sha256(body).hexdigest()
    res["rangeKey"] = disks_of(linux)[0].key
    lease.HttpNfcLeaseAbort()
    res["abortState"] = lease.state
    res["getAfterAbort"] = https(dev.url)[0]
    WaitForTask(linux.PowerOnVM_Task())
    out("lease", **res)


def section_guest():
    fm = content.guestOperationsManager.fileManager
    res = {}
    for fam, vmname, user, pw in (("linux", cfg["linuxVm"], cfg["linuxUser"], cfg["linuxPassword"]), ("windows", cfg.get("windowsVm"), cfg.get("windowsUser"), cfg.get("windowsPassword"))):
        if not vmname:
            continue
        vm = find_vm(vmname)
        auth = vim.vm.guest.NamePasswordAuthentication(username=user, password=pw, interactiveSession=False)
        bad = vim.vm.guest.NamePasswordAuthentication(username=user, password=pw + "x", interactiveSession=False)
        win = fam == "windows"
        base = "C:\\bpsim-ops" if win else "/tmp/bpsim-ops"
        j = (lambda *p: "\\".join((base,) + p)) if win else (lambda *p: "/".join((base,) + p))
        r = {}
        r["mkdirNoParent"] = fault(lambda: fm.MakeDirectoryInGuest(vm, auth, j("a", "b"), False))
        r["mkdir"] = fault(lambda: fm.MakeDirectoryInGuest(vm, auth, j("a", "b"), True))
        r["mkdirAgain"] = fault(lambda: fm.MakeDirectoryInGuest(vm, auth, j("a", "b"), True))
        payload = ("hello from %s\n" % fam).encode() * 50
        url = fm.InitiateFileTransferToGuest(vm, auth, j("a", "b", "f.txt"), vim.vm.guest.FileManager.FileAttributes(), len(payload), True)
        r["put"] = https(url, "PUT", payload, {"Content-Length": str(len(payload))})[0]
        fm.InitiateFileTransferToGuest(vm, auth, j("a", "b", "g.txt"), vim.vm.guest.FileManager.FileAttributes(), 0, True)
        url = fm.InitiateFileTransferToGuest(vm, auth, j("a", "b", "g.txt"), vim.vm.guest.FileManager.FileAttributes(), 3, True)
        https(url, "PUT", b"abc", {"Content-Length": "3"})
        listing = fm.ListFilesInGuest(vm, auth, j("a", "b"))
        r["list"] = [[f.path, f.type, f.size] for f in listing.files]
        r["listRemaining"] = listing.remaining
        page = fm.ListFilesInGuest(vm, auth, j("a", "b"), 0, 1)
        r["page"] = [[f.path for f in page.files], page.remaining]
        r["pattern"] = [f.path for f in fm.ListFilesInGuest(vm, auth, j("a", "b"), matchPattern="^g").files]
        r["listMissing"] = fault(lambda: fm.ListFilesInGuest(vm, auth, j("nope")))
        info = fm.InitiateFileTransferFromGuest(vm, auth, j("a", "b", "f.txt"))
        status, body = https(info.url)
        r["get"] = [status, info.size, body == payload, type(info.attributes).__name__.split(".")[-1]]
        r["fromMissing"] = fault(lambda: fm.InitiateFileTransferFromGuest(vm, auth, j("a", "missing.txt")))
        r["fromDirectory"] = fault(lambda: fm.InitiateFileTransferFromGuest(vm, auth, j("a")))
        r["toExisting"] = fault(lambda: fm.InitiateFileTransferToGuest(vm, auth, j("a", "b", "f.txt"), vim.vm.guest.FileManager.FileAttributes(), 1, False))
        r["toDirectory"] = fault(lambda: fm.InitiateFileTransferToGuest(vm, auth, j("a", "b"), vim.vm.guest.FileManager.FileAttributes(), 1, True))
        r["toUnderFile"] = fault(lambda: fm.InitiateFileTransferToGuest(vm, auth, j("a", "b", "f.txt", "x"), vim.vm.guest.FileManager.FileAttributes(), 1, True))
        r["deleteFileOnDir"] = fault(lambda: fm.DeleteFileInGuest(vm, auth, j("a")))
        r["deleteDirOnFile"] = fault(lambda: fm.DeleteDirectoryInGuest(vm, auth, j("a", "b", "f.txt"), False))
        r["deleteDirNotEmpty"] = fault(lambda: fm.DeleteDirectoryInGuest(vm, auth, j("a"), False))
        r["mkdirUnderFile"] = fault(lambda: fm.MakeDirectoryInGuest(vm, auth, j("a", "b", "f.txt", "c"), True))
        r["deleteSystem"] = fault(lambda: fm.DeleteDirectoryInGuest(vm, auth, "C:\\Windows" if win else "/etc", True))
        r["badLogin"] = fault(lambda: fm.ListFilesInGuest(vm, bad, base))
        r["moveFile"] = fault(lambda: fm.MoveFileInGuest(vm, auth, j("a", "b", "g.txt"), j("a", "h.txt"), False))
        r["moveFileExists"] = fault(lambda: fm.MoveFileInGuest(vm, auth, j("a", "h.txt"), j("a", "b", "f.txt"), False))
        r["moveDir"] = fault(lambda: fm.MoveDirectoryInGuest(vm, auth, j("a", "b"), j("c")))
        r["moveIntoItself"] = fault(lambda: fm.MoveDirectoryInGuest(vm, auth, j("c"), j("c", "inner")))
        r["moveDirOnFile"] = fault(lambda: fm.MoveDirectoryInGuest(vm, auth, j("a", "h.txt"), j("d")))
        r["afterMove"] = sorted(f.path for f in fm.ListFilesInGuest(vm, auth, base).files)
        tmpf = fm.CreateTemporaryFileInGuest(vm, auth, "bp", ".tmp", base)
        tmpd = fm.CreateTemporaryDirectoryInGuest(vm, auth, "bpd", "", None)
        r["temp"] = [tmpf, tmpd]
        r["tempMissingDir"] = fault(lambda: fm.CreateTemporaryFileInGuest(vm, auth, "bp", ".tmp", j("nope")))
        # Issue 17 point 6: bad paths are refused when the URL is asked for, never by the PUT.
        r["relative"] = fault(lambda: fm.InitiateFileTransferToGuest(vm, auth, "relative.txt", vim.vm.guest.FileManager.FileAttributes(), 1, True))
        r["dotdot"] = fault(lambda: fm.InitiateFileTransferToGuest(vm, auth, "../x", vim.vm.guest.FileManager.FileAttributes(), 1, True))
        r["emptyPath"] = fault(lambda: fm.InitiateFileTransferToGuest(vm, auth, "", vim.vm.guest.FileManager.FileAttributes(), 1, True))
        try:
            url = fm.InitiateFileTransferToGuest(vm, auth, "\\\\?\\C:\\x.txt", vim.vm.guest.FileManager.FileAttributes(), 2, True)
            r["extendedPath"] = ["url", https(url, "PUT", b"ok", {"Content-Length": "2"})[0]]
        except vmodl.MethodFault as e:
            r["extendedPath"] = ["fault", e._wsdlName]
        r["deleteRecursive"] = fault(lambda: fm.DeleteDirectoryInGuest(vm, auth, base, True))
        r["deleteFileMissing"] = fault(lambda: fm.DeleteFileInGuest(vm, auth, j("c", "f.txt")))
        res[fam] = r
    out("guest", **res)
    vm = find_vm(cfg["linuxVm"])
    auth = vim.vm.guest.NamePasswordAuthentication(username=cfg["linuxUser"], password=cfg["linuxPassword"], interactiveSession=False)
    url = fm.InitiateFileTransferToGuest(vm, auth, "/tmp/late.bin", vim.vm.guest.FileManager.FileAttributes(), 2, True)
    need("need-tools-off", vm=vm._moId)
    out("guest-tools-off", list=fault(lambda: fm.ListFilesInGuest(vm, auth, "/tmp")), latePut=https(url, "PUT", b"ok", {"Content-Length": "2"})[0])
    need("need-tools-on", vm=vm._moId)


created = None
for section in cfg["sections"]:
    if section == "devices":
        created = section_create_and_devices()
    elif section == "power":
        section_power(created)
    elif section == "clone":
        section_clone(created)
    elif section == "lease":
        section_lease(created)
    elif section == "guest":
        section_guest()
Disconnect(si)
out("logout")
