#!/usr/bin/python3
"""Inventory and manager breadth, exercised with the official pyVmomi SDK against a bpsim endpoint.

Usage: pyvmomi_breadth.py CONFIG_JSON
CONFIG_JSON: {"host", "port", "ca", "user", "password", "flavor": "vcenter"|"esxi", "vm", "hostAddress",
              "hostEndpoint", "dcPath"}
Prints one JSON object per step: {"step", "ok", ...data} or {"step", "ok": false, "error"}; never stops early.
Faults are checked by their vim type name (what pyVmomi raises), never by bpsim's own reader.
"""
import fnmatch
import http.client
import json
import ssl
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone

from pyVim.connect import SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

cfg = json.load(open(sys.argv[1]))
VC = cfg["flavor"] == "vcenter"
ctx = ssl.create_default_context(cafile=cfg["ca"])
ctx.check_hostname = False
si = SmartConnect(host=cfg["host"], port=int(cfg["port"]), user=cfg["user"], pwd=cfg["password"], sslContext=ctx)
content = si.RetrieveContent()
cookie = si._stub.cookie


def fault_name(fn):
    try:
        fn()
    except vmodl.MethodFault as e:
        return type(e).__name__.split(".")[-1]
    return None


def step(name):
    def wrap(fn):
        try:
            data = fn() or {}
            data.update(step=name, ok=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, the next step still runs
            data = {"step": name, "ok": False, "error": "%s: %s" % (type(e).__name__, e), "trace": traceback.format_exc()[-1500:]}
        print(json.dumps(data, default=str), flush=True)
        return fn
    return wrap


def find(kind, name=None):
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        objs = list(view.view)
    finally:
        view.Destroy()
    return next(o for o in objs if name is None or o.name == name)


vm = find(vim.VirtualMachine, cfg["vm"])
host = vm.runtime.host
dc = content.rootFolder.childEntity[0]
ds = vm.datastore[0]


@step("service-content")
def _():
    names = ["eventManager", "taskManager", "perfManager", "authorizationManager", "licenseManager", "setting",
             "diagnosticManager", "ovfManager", "vStorageObjectManager", "viewManager", "sessionManager"]
    names += ["customFieldsManager", "extensionManager"] if VC else ["accountManager"]
    missing = [n for n in names if getattr(content, n) is None]
    assert not missing, missing
    return {"refs": {n: getattr(content, n)._moId for n in names}}


@step("session-list")
def _():
    other = SmartConnect(host=cfg["host"], port=int(cfg["port"]), user=cfg["user"], pwd=cfg["password"], sslContext=ctx)
    sm = content.sessionManager
    keys = [s.key for s in sm.sessionList]
    mine = sm.currentSession.key
    theirs = other.content.sessionManager.currentSession.key
    assert mine in keys and theirs in keys, (mine, theirs, keys)
    assert fault_name(lambda: sm.TerminateSession([mine])) == "InvalidArgument"
    assert fault_name(lambda: sm.TerminateSession(["no-such-session"])) == "NotFound"
    sm.TerminateSession([theirs])
    assert theirs not in [s.key for s in sm.sessionList]
    # A saved cookie that no longer works: vCenter puts currentSession in missingSet (NotAuthenticated)
    # and pyVmomi's accessor raises that fault, which is how a client learns it must log in again.
    from pyVmomi import SoapStubAdapter
    stale = SoapStubAdapter(host=cfg["host"], port=int(cfg["port"]), version=si._stub.version, sslContext=ctx)
    stale.cookie = 'vmware_soap_session="52deadbeef"'
    stale_sm = vim.ServiceInstance("ServiceInstance", stale).RetrieveContent().sessionManager
    assert fault_name(lambda: stale_sm.currentSession) == "NotAuthenticated"
    assert fault_name(lambda: stale_sm.sessionList) == "NotAuthenticated"
    return {"sessions": len(keys)}


@step("events")
def _():
    em = content.eventManager
    start = si.CurrentTime()
    WaitForTask(vm.CreateSnapshot_Task("breadth-1", "", False, False))
    snap = vm.snapshot.currentSnapshot
    WaitForTask(snap.RevertToSnapshot_Task())
    WaitForTask(snap.RemoveSnapshot_Task(False))
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=vm.config.hardware.numCPU)))
    if vm.runtime.powerState == "poweredOn":
        WaitForTask(vm.PowerOffVM_Task())
        WaitForTask(vm.PowerOnVM_Task())
    else:
        WaitForTask(vm.PowerOnVM_Task())
        WaitForTask(vm.PowerOffVM_Task())
    spec = vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self"),
                                     time=vim.event.EventFilterSpec.ByTime(beginTime=start))
    evs = em.QueryEvents(spec)
    kinds = [type(e).__name__.split(".")[-1] for e in evs]
    for want in ["VmReconfiguredEvent", "VmPoweredOnEvent", "VmPoweredOffEvent", "TaskEvent", "EventEx"]:
        assert want in kinds, (want, kinds)
    assert all(e.vm.vm == vm for e in evs)
    assert [e.createdTime for e in evs] == sorted([e.createdTime for e in evs], reverse=True), "newest first"
    reverted = [e for e in evs if isinstance(e, vim.event.EventEx)]
    assert reverted[0].eventTypeId == "com.vmware.vc.vm.VmStateRevertedToSnapshot"
    only = em.QueryEvents(vim.event.EventFilterSpec(eventTypeId=["VmPoweredOnEvent"], time=spec.time))
    assert only and all(isinstance(e, vim.event.VmPoweredOnEvent) for e in only)
    future = em.QueryEvents(vim.event.EventFilterSpec(time=vim.event.EventFilterSpec.ByTime(beginTime=start + timedelta(days=1))))
    assert len(future) == 0
    logins = em.QueryEvents(vim.event.EventFilterSpec(type=[vim.event.UserLoginSessionEvent], userName=vim.event.EventFilterSpec.ByUsername(userList=[cfg["user"]], systemUser=False)))
    assert logins and logins[0].userName.lower() == cfg["user"].lower() and logins[0].sessionId
    dc_events = em.QueryEvents(vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(entity=dc, recursion="all"), time=spec.time))
    assert len(dc_events) >= len(evs)
    ghost = vim.VirtualMachine("vm-999999" if VC else "999999", si._stub)
    assert fault_name(lambda: em.QueryEvents(vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(entity=ghost, recursion="self")))) == "ManagedObjectNotFound"

    c = em.CreateCollectorForEvents(vim.event.EventFilterSpec(entity=spec.entity, time=spec.time, maxCount=3))
    page = c.latestPage
    assert [e.key for e in page] == [e.key for e in evs[:3]], "latestPage = newest 3"
    older = c.ReadPreviousEvents(100)
    assert [e.key for e in older] == [e.key for e in evs[3:]]
    c.RewindCollector()
    forward = c.ReadNextEvents(100)
    assert [e.key for e in forward] == [e.key for e in reversed(evs)], "oldest first from the start"
    assert c.ReadNextEvents(10) == []
    c.ResetCollector()
    assert [e.key for e in c.ReadNextEvents(100)] == [e.key for e in reversed(evs[:3])]
    c.SetCollectorPageSize(5)
    assert len(c.latestPage) == min(5, len(evs))
    bad_size = fault_name(lambda: c.SetCollectorPageSize(-1))
    c.DestroyCollector()
    gone = fault_name(lambda: c.latestPage)
    assert bad_size == "InvalidArgument" and gone == "ManagedObjectNotFound", (bad_size, gone)
    # Following events as `govc events -f` does: WaitForUpdatesEx on a collector's latestPage.
    follow = em.CreateCollectorForEvents(vim.event.EventFilterSpec(type=[vim.event.GeneralUserEvent]))
    pc = content.propertyCollector.CreatePropertyCollector()
    pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=follow)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.event.EventHistoryCollector, pathSet=["latestPage"])]), True)
    wait = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=30)
    version = pc.WaitForUpdatesEx("", wait).version
    em.LogUserEvent(vm, "breadth follow")
    update = pc.WaitForUpdatesEx(version, wait)
    assert [e.message for e in update.filterSet[0].objectSet[0].changeSet[0].val][:1] == ["breadth follow"]
    pc.DestroyPropertyCollector()
    follow.DestroyCollector()
    return {"kinds": sorted(set(kinds)), "count": len(evs)}


@step("tasks")
def _():
    tm = content.taskManager
    recent = tm.recentTask
    assert recent, "recentTask lists the tasks just run"
    c = tm.CreateCollectorForTasks(vim.TaskFilterSpec(entity=vim.TaskFilterSpec.ByEntity(entity=vm, recursion="self"), state=["success"]))
    page = c.latestPage
    assert page and all(t.entity == vm and t.state == "success" for t in page)
    c.RewindCollector()
    first = c.ReadNextTasks(2)
    assert len(first) == 2 and first[0].queueTime <= first[1].queueTime
    prev = c.ReadPreviousTasks(1)
    assert [t.key for t in prev] == [first[1].key], "the cursor sits after the last item read"
    c.DestroyCollector()
    none = tm.CreateCollectorForTasks(vim.TaskFilterSpec(state=["error"], entity=vim.TaskFilterSpec.ByEntity(entity=vm, recursion="self")))
    assert none.latestPage == []
    none.DestroyCollector()
    return {"recent": len(recent), "page": len(page)}


@step("list-view")
def _():
    ghost = vim.VirtualMachine("vm-999999" if VC else "999999", si._stub)
    lv = content.viewManager.CreateListView([vm, ghost])
    assert list(lv.view) == [vm]
    unresolved = lv.ModifyListView(add=[host, ghost], remove=[vm])
    assert list(unresolved) == [ghost] and list(lv.view) == [host]
    assert list(lv.ResetListView([vm])) == [] and list(lv.view) == [vm]
    lv.DestroyView()
    assert fault_name(lambda: lv.view) == "ManagedObjectNotFound"


@step("perf")
def _():
    pm = content.perfManager
    counters = {"%s.%s.%s" % (c.groupInfo.key, c.nameInfo.key, c.rollupType): c.key for c in pm.perfCounter}
    assert "cpu.usage.average" in counters, counters
    assert [i.samplingPeriod for i in pm.historicalInterval] == [300, 1800, 7200, 86400]
    summary = pm.QueryPerfProviderSummary(vm)
    avail = pm.QueryAvailablePerfMetric(vm, intervalId=summary.refreshRate)
    assert counters["cpu.usage.average"] in [m.counterId for m in avail]
    q = vim.PerformanceManager.QuerySpec(entity=vm, metricId=[vim.PerformanceManager.MetricId(counterId=counters["cpu.usage.average"], instance="")], intervalId=20, maxSample=3)
    res = pm.QueryPerf([q])
    series = res[0].value[0]
    assert len(res[0].sampleInfo) == 3 and len(series.value) == 3 and all(0 <= v <= 10000 for v in series.value)
    bad = vim.PerformanceManager.QuerySpec(entity=vm, metricId=[vim.PerformanceManager.MetricId(counterId=987654, instance="")], intervalId=20)
    assert fault_name(lambda: pm.QueryPerf([bad])) == "InvalidArgument"
    return {"counters": len(counters), "samples": list(series.value)}


@step("authorization")
def _():
    am = content.authorizationManager
    assert any(r.name == "Admin" and r.roleId == -1 for r in am.roleList)
    assert any(p.privId == "VirtualMachine.State.CreateSnapshot" for p in am.privilegeList)
    key = content.sessionManager.currentSession.key
    res = am.HasPrivilegeOnEntities([vm, host], key, ["VirtualMachine.State.CreateSnapshot", "System.View"])
    assert [e.entity for e in res] == [vm, host]
    assert all(p.isGranted for e in res for p in e.privAvailability)
    assert fault_name(lambda: am.HasPrivilegeOnEntities([vm], "not-a-session", ["System.View"])) == "InvalidArgument"
    return {"roles": len(am.roleList)}


@step("license")
def _():
    lm = content.licenseManager
    lic = lm.licenses
    assert lic and lic[0].editionKey == "eval"
    return {"license": lic[0].name}


@step("options")
def _():
    om = content.setting
    keys = [o.key for o in om.setting]
    assert keys
    if VC:
        got = om.QueryOptions("event.")
        assert {o.key for o in got} == {"event.maxAge", "event.maxAgeEnabled"}
        om.UpdateOptions([vim.option.OptionValue(key="event.maxAge", value=60)])
        assert om.QueryOptions("event.maxAge")[0].value == 60
    assert fault_name(lambda: om.QueryOptions("no.such.option")) == "InvalidName"
    assert fault_name(lambda: om.UpdateOptions([vim.option.OptionValue(key="no.such.option", value="x")])) == "InvalidName"
    return {"settings": len(keys)}


@step("diagnostics")
def _():
    dm = content.diagnosticManager
    logs = dm.QueryDescriptions()
    header = dm.BrowseDiagnosticLog(key=logs[0].key, start=2, lines=5)
    assert header.lineStart == 2 and header.lineEnd == 6 and len(header.lineText) == 5
    assert fault_name(lambda: dm.BrowseDiagnosticLog(key="no-such-log")) == "InvalidArgument"
    return {"logs": [l.key for l in logs]}


@step("ovf-vstorage")
def _():
    assert content.ovfManager.ovfImportOption is not None
    vs = content.vStorageObjectManager
    ids = vs.ListVStorageObject(ds) if VC else vs.HostListVStorageObject(ds)
    assert list(ids) == []
    return {}


if VC:
    @step("custom-fields")
    def _():
        cf = content.customFieldsManager
        f = cf.AddCustomFieldDef(name="backup-policy", moType=vim.VirtualMachine)
        assert fault_name(lambda: cf.AddCustomFieldDef(name="backup-policy", moType=vim.VirtualMachine)) == "DuplicateName"
        cf.SetField(entity=vm, key=f.key, value="gold")
        assert [(v.key, v.value) for v in vm.customValue] == [(f.key, "gold")]
        assert f.key in [a.key for a in vm.availableField]
        assert f.key not in [a.key for a in host.availableField]
        assert fault_name(lambda: cf.SetField(entity=host, key=f.key, value="x")) == "InvalidArgument"
        assert fault_name(lambda: cf.SetField(entity=vm, key=424242, value="x")) == "InvalidArgument"
        vm.setCustomValue(key="owner", value="dba-team")
        assert "owner" in [d.name for d in cf.field]
        assert "dba-team" in [v.value for v in vm.customValue]
        return {"fields": [d.name for d in cf.field]}

    @step("extensions")
    def _():
        em = content.extensionManager
        assert em.extensionList and em.FindExtension("com.vmware.vsan.health").key == "com.vmware.vsan.health"
        assert em.FindExtension("com.example.none") is None
        assert fault_name(lambda: em.UnregisterExtension("com.example.none")) == "NotFound"
        return {}


@step("host")
def _():
    hw = host.hardware
    assert len(hw.systemInfo.uuid) == 36 and hw.cpuInfo.numCpuThreads == 64 and hw.memorySize == 512 * 1024 ** 3
    assert hw.numaInfo.numNodes == 2 and len(hw.cpuPkg) == 2 and hw.cpuFeature
    sh = host.summary.hardware
    assert sh.uuid == hw.systemInfo.uuid and sh.numCpuPkgs == 2 and sh.cpuModel
    cm = host.configManager
    vnic = cm.networkSystem.networkInfo.vnic[0]
    assert vnic.spec.ip.ipAddress == cfg["hostAddress"], vnic.spec.ip.ipAddress
    assert list(cm.datastoreSystem.datastore) == list(host.datastore)
    assert cm.storageSystem.storageDeviceInfo.hostBusAdapter
    assert cm.serviceSystem.serviceInfo.service
    assert cm.firewallSystem.firewallInfo.ruleset
    assert cm.dateTimeSystem.QueryDateTime()
    assert cm.advancedOption.setting
    assert cm.virtualNicManager.info.netConfig
    config = host.config
    net = config.network
    assert net.vnic and net.pnic and net.portgroup and net.vswitch and net.dnsConfig.hostName
    mgmt = next(n for n in config.virtualNicManagerInfo.netConfig if n.nicType == "management")
    sel = [c for c in mgmt.candidateVnic if c.key in mgmt.selectedVnic]
    assert [c.spec.ip.ipAddress for c in sel] == [cfg["hostAddress"]]
    pem = bytes(b & 0xFF for b in config.certificate).decode()
    addr, port = cfg["hostEndpoint"].rsplit(":", 1)
    served = ssl.get_server_certificate((addr, int(port)))
    assert ssl.PEM_cert_to_DER_cert(pem) == ssl.PEM_cert_to_DER_cert(served), "config.certificate is the certificate the host serves"
    assert config.product.apiType == "HostAgent" and config.storageDevice.hostBusAdapter
    return {"uuid": hw.systemInfo.uuid, "hbas": [h.device for h in config.storageDevice.hostBusAdapter]}


@step("network")
def _():
    nets = [n for n in dc.networkFolder.childEntity if isinstance(n, vim.Network)]
    assert [n.name for n in nets] == ["VM Network"]
    assert nets[0] in host.network and nets[0] in vm.network and nets[0] in dc.network
    assert nets[0].summary.accessible and vm in nets[0].vm
    return {}


@step("resource-pool")
def _():
    pool = vm.resourcePool
    assert pool.config.cpuAllocation.limit == -1 and pool.config.memoryAllocation.expandableReservation
    assert pool.summary.runtime.overallStatus == "green" and pool.runtime.cpu.maxUsage > 0
    cr = pool.owner
    cfgx = cr.configurationEx
    if VC:
        assert cfgx.drsConfig.enabled and cfgx.dasConfig.enabled
    assert cfgx.vmSwapPlacement == "vmDirectory"
    return {}


@step("all-properties")
def _():
    """Every property of every object this room added, read with all=True: each name must be one the
    managed type declares in pyVmomi's vim25 type table, and each value must check against its
    declared type (pyVmomi's own CheckField)."""
    from pyVmomi import VmomiSupport
    names = ["eventManager", "taskManager", "perfManager", "authorizationManager", "licenseManager", "setting",
             "diagnosticManager", "ovfManager", "vStorageObjectManager", "sessionManager", "customFieldsManager",
             "extensionManager", "accountManager"]
    objs = [getattr(content, n) for n in names if getattr(content, n, None) is not None]
    cm = host.configManager
    objs += [host, vm.resourcePool, vm.resourcePool.owner, ds, ds.browser, host.datastoreBrowser] + list(host.network)
    objs += [getattr(cm, n) for n in ["datastoreSystem", "storageSystem", "networkSystem", "virtualNicManager", "serviceSystem", "firewallSystem", "dateTimeSystem", "advancedOption"]]
    ec = content.eventManager.CreateCollectorForEvents(vim.event.EventFilterSpec())
    tc = content.taskManager.CreateCollectorForTasks(vim.TaskFilterSpec())
    lv = content.viewManager.CreateListView([vm])
    objs += [ec, tc, lv]
    pc = content.propertyCollector
    specs = [vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=o) for o in objs],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=t, all=True) for t in {type(o) for o in objs}])]
    checked = 0
    problems = []
    for oc in pc.RetrieveContents(specs):
        for prop in oc.propSet:
            try:
                info = VmomiSupport.GetPropertyInfo(type(oc.obj), prop.name)
                if isinstance(prop.val, list):
                    # anyType arrays arrive as ManagedObject[] / DataObject[] lists: check each item instead.
                    item = info.type.Item
                    bad = [x for x in prop.val if isinstance(x, (VmomiSupport.ManagedObject, VmomiSupport.DataObject)) and not isinstance(x, item)]
                    assert not bad, "items %s are not %s" % (bad[:2], item.__name__)
                else:
                    VmomiSupport.CheckField(info, prop.val)
                checked += 1
            except Exception as e:  # noqa: BLE001 - collect every mismatch
                problems.append("%s.%s: %s" % (oc.obj._wsdlName, prop.name, e))
    ec.DestroyCollector()
    tc.DestroyCollector()
    lv.DestroyView()
    assert not problems, problems
    return {"checked": checked, "objects": len(objs)}


def vm_dir():
    return vm.config.files.vmPathName.rsplit("/", 1)[0]


@step("datastore-browser")
def _():
    browser = ds.browser
    assert browser in [host.datastoreBrowser] or browser is not None
    d = vm_dir()
    spec = vim.host.DatastoreBrowser.SearchSpec(matchPattern=["*.vmx"], query=[vim.host.DatastoreBrowser.VmConfigQuery()], details=vim.host.DatastoreBrowser.FileInfo.Details(fileType=True, fileSize=True, modification=True))
    t = browser.SearchDatastore_Task(d, spec)
    WaitForTask(t)
    files = t.info.result.file
    assert [f.path for f in files] == ["%s.vmx" % vm.name] and isinstance(files[0], vim.host.DatastoreBrowser.VmConfigInfo) and files[0].fileSize > 0
    spec2 = vim.host.DatastoreBrowser.SearchSpec(query=[vim.host.DatastoreBrowser.VmDiskQuery()], details=vim.host.DatastoreBrowser.FileInfo.Details(fileType=True, fileSize=True))
    t2 = browser.SearchDatastoreSubFolders_Task("[%s]" % ds.name, spec2)
    WaitForTask(t2)
    disks = {r.folderPath + f.path: f.capacityKb for r in t2.info.result for f in r.file}
    for dev in vm.config.hardware.device:
        if isinstance(dev, vim.vm.device.VirtualDisk) and dev.backing.fileName.startswith("[%s]" % ds.name):
            base = dev.backing.fileName.split("] ", 1)[1]
            base = base.split("-0000")[0] + (".vmdk" if "-0000" in base else "")
            match = [k for k in disks if k.endswith("/" + base.split("/")[-1])]
            assert match and disks[match[0]] == dev.capacityInKB, (base, disks)
    missing = browser.SearchDatastore_Task("[%s] no-such-folder" % ds.name, vim.host.DatastoreBrowser.SearchSpec())
    try:
        WaitForTask(missing)
        raise AssertionError("missing folder found")
    except vim.fault.FileNotFound:
        pass
    assert fault_name(lambda: browser.SearchDatastore_Task("no brackets", None)) == "InvalidDatastorePath"
    return {"disks": sorted(disks)}


def request(method, path, body=None, headers=None):
    c = http.client.HTTPSConnection(cfg["host"], int(cfg["port"]), context=ctx)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def folder_url(rel):
    from urllib.parse import quote
    return "/folder/%s?dcPath=%s&dsName=%s" % (quote(rel), quote(cfg["dcPath"]), quote(ds.name))


@step("folder")
def _():
    d = vm_dir().split("] ", 1)[1]
    vmx_url = folder_url("%s/%s.vmx" % (d, vm.name))
    status, _ = request("GET", vmx_url)
    assert status == 401, status
    status, vmx = request("GET", vmx_url, headers={"Cookie": cookie})
    assert status == 200, status
    # Parse the .vmx independently: key = "value" lines.
    kv = {}
    for line in vmx.decode().splitlines():
        k, _, v = line.partition(" = ")
        kv[k.strip()] = v.strip().strip('"')
    disks = [dev for dev in vm.config.hardware.device if isinstance(dev, vim.vm.device.VirtualDisk)]
    for dev in disks:
        prefix = "scsi0:%d" % dev.unitNumber
        assert kv[prefix + ".present"] == "TRUE"
        assert dev.backing.fileName.endswith("/" + kv[prefix + ".fileName"]) or kv[prefix + ".fileName"].startswith("/vmfs/volumes/"), (kv[prefix + ".fileName"], dev.backing.fileName)
        assert kv[prefix + ".ctkEnabled"] == ("TRUE" if vm.config.changeTrackingEnabled else "FALSE")
    assert kv["ctkEnabled"] == ("TRUE" if vm.config.changeTrackingEnabled else "FALSE")
    assert sum(1 for k in kv if k.endswith(".fileName") and k.startswith("scsi")) == len(disks)
    assert kv["displayName"] == vm.name and kv["numvcpus"] == str(vm.config.hardware.numCPU)

    status, _ = request("GET", folder_url("%s/nope.txt" % d), headers={"Cookie": cookie})
    assert status == 404, status
    payload = bytes(range(256)) * 40
    status, _ = request("PUT", folder_url("%s/restore-notes.bin" % d), body=payload, headers={"Cookie": cookie})
    assert status == 201, status
    status, back = request("GET", folder_url("%s/restore-notes.bin" % d), headers={"Cookie": cookie})
    assert status == 200 and back == payload
    t = ds.browser.SearchDatastore_Task(vm_dir(), vim.host.DatastoreBrowser.SearchSpec(matchPattern=["restore-*"], details=vim.host.DatastoreBrowser.FileInfo.Details(fileSize=True, fileType=True)))
    WaitForTask(t)
    assert [(f.path, f.fileSize) for f in t.info.result.file] == [("restore-notes.bin", len(payload))]

    ticket_url = "https://%s%s" % (cfg["host"], vmx_url)
    ticket = content.sessionManager.AcquireGenericServiceTicket(vim.SessionManager.HttpServiceRequestSpec(url=ticket_url, method="httpGet"))
    status, again = request("GET", vmx_url, headers={"Cookie": "vmware_cgi_ticket=%s" % ticket.id})
    assert status == 200 and again == vmx
    status, _ = request("GET", vmx_url, headers={"Cookie": "vmware_cgi_ticket=%s" % ticket.id})
    assert status == 401, "tickets are single-use"
    status, _ = request("DELETE", folder_url("%s/restore-notes.bin" % d), headers={"Cookie": cookie})
    assert status == 204, status
    return {"vmx": {k: v for k, v in kv.items() if k.startswith("scsi0:") or k == "ctkEnabled"}}
