#!/usr/bin/python3
"""The VADP backup sequence run with the official pyVmomi SDK against a bpsim vCenter.

Usage: pyvmomi_sequence.py CONFIG_JSON
CONFIG_JSON: {"host", "port", "ca", "user", "password", "vm", "guestUser", "guestPassword",
              "hosts": {"esxi-01.lab.test": "127.x.y.z:443"}}
Prints one JSON object per step on stdout; when it needs the guest to write (so the second
QueryChangedDiskAreas has something to find) it prints {"step": "need-write"} and waits for a line on stdin.
Exits non-zero on the first failure.
"""
import json
import ssl
import sys
import http.client
from urllib.parse import urlparse

from pyVim.connect import SmartConnect, Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim, VmomiSupport

cfg = json.load(open(sys.argv[1]))


def out(step, **kw):
    kw["step"] = step
    print(json.dumps(kw, default=str), flush=True)


ctx = ssl.create_default_context(cafile=cfg["ca"])
si = SmartConnect(host=cfg["host"], port=int(cfg["port"]), user=cfg["user"], pwd=cfg["password"], sslContext=ctx)
content = si.RetrieveContent()
out("login", apiType=content.about.apiType, session=content.sessionManager.currentSession.userName)

view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
vm = next(v for v in view.view if v.name == cfg["vm"])
view.Destroy()
found = content.searchIndex.FindByUuid(None, vm.config.instanceUuid, True, True)
assert found == vm, (found, vm)
out("find-vm", moref=vm._moId, uuid=vm.config.uuid)

WaitForTask(vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(changeTrackingEnabled=True)))
assert vm.config.changeTrackingEnabled is True
out("enable-cbt")


def snapshot(name):
    task = vm.CreateSnapshot_Task(name=name, description="bpsim pyVmomi", memory=False, quiesce=True)
    WaitForTask(task)
    snap = task.info.result
    assert isinstance(snap, vim.vm.Snapshot), snap
    disks = [d for d in snap.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    return snap, disks


def changed_areas(snap, disk, change_id):
    extents, offset, pages = [], 0, 0
    while offset < disk.capacityInBytes:
        info = vm.QueryChangedDiskAreas(snapshot=snap, deviceKey=disk.key, startOffset=offset, changeId=change_id)
        extents += [(a.start, a.length) for a in info.changedArea]
        offset = info.startOffset + info.length
        pages += 1
        if info.length == 0:
            break
    return extents, pages


snap1, disks1 = snapshot("bpsim-backup-1")
disk = disks1[0]
change1 = disk.backing.changeId
assert change1, "snapshot disk backing has no changeId"
assert vm.snapshot.currentSnapshot == snap1
assert vm.snapshot.rootSnapshotList[0].quiesced is True
out("snapshot", snapshot=snap1._moId, changeId=change1, fileName=disk.backing.fileName)

full, pages = changed_areas(snap1, disk, "*")
assert full, "no allocated areas"
out("changed-all", extents=len(full), bytes=sum(l for _, l in full), pages=pages)

# NFC ticket service: not in pyVmomi's types; register it the way VDDK-compatible tools do.
try:
    VmomiSupport.GetWsdlType("urn:vim25", "NfcService")
except KeyError:
    VmomiSupport.CreateManagedType("vim.NfcService", "NfcService", "vmodl.ManagedObject", "vim.version.version1", [], [
        ("randomAccessOpen", "NfcRandomAccessOpenDisk", "vim.version.version1",
         (("vm", "vim.VirtualMachine", "vim.version.version1", 0, None),
          ("diskDeviceKey", "int", "vim.version.version1", 0, None),
          ("hostForAccess", "vim.HostSystem", "vim.version.version1", VmomiSupport.F_OPTIONAL, None)),
         (0, "vim.HostServiceTicket", "vim.HostServiceTicket"), None, None),
    ])
nfc = vim.NfcService(cfg.get("nfcService", "nfcService"), si._stub)
ticket = nfc.RandomAccessOpen(vm, disk.key, None)
assert ticket.port == 902 and ticket.service == "vpxa-nfc" and len(ticket.sslThumbprint) == 59, ticket
out("nfc-ticket", host=ticket.host, thumbprint=ticket.sslThumbprint)

WaitForTask(snap1.RemoveSnapshot_Task(removeChildren=False))
assert vm.snapshot is None
out("remove-snapshot")

out("need-write", vm=vm._moId, key=disk.key)
sys.stdin.readline()

snap2, disks2 = snapshot("bpsim-backup-2")
disk2 = next(d for d in disks2 if d.key == disk.key)
assert disk2.backing.changeId != change1
incr, pages2 = changed_areas(snap2, disk2, change1)
out("changed-since", extents=len(incr), bytes=sum(l for _, l in incr), pages=pages2)
WaitForTask(snap2.RemoveSnapshot_Task(removeChildren=False))

auth = vim.vm.guest.NamePasswordAuthentication(username=cfg["guestUser"], password=cfg["guestPassword"], interactiveSession=False)
gom = content.guestOperationsManager
payload = b"bpsim pyVmomi upload\n" * 64
path = cfg.get("guestPath", "/tmp/bpsim-pyvmomi.bin")
url = gom.fileManager.InitiateFileTransferToGuest(vm, auth, path, vim.vm.guest.FileManager.FileAttributes(), len(payload), True)
u = urlparse(url)
target = cfg["hosts"].get(u.hostname) if u.hostname != "*" else "%s:%s" % (cfg["host"], cfg["port"])
h, p = target.rsplit(":", 1)
conn = http.client.HTTPSConnection(h, int(p), context=ctx)
conn.request("PUT", u.path + "?" + u.query, body=payload, headers={"Content-Length": str(len(payload))})
resp = conn.getresponse()
resp.read()
assert resp.status == 200, resp.status
out("guest-upload", url=url, status=resp.status)

pid = gom.processManager.StartProgramInGuest(vm, auth, vim.vm.guest.ProcessManager.ProgramSpec(programPath=path, arguments="--version"))
procs = gom.processManager.ListProcessesInGuest(vm, auth, [pid])
assert procs and procs[0].pid == pid
out("start-program", pid=pid, name=procs[0].name, exitCode=procs[0].exitCode)

Disconnect(si)
out("logout")
