#!/usr/bin/ruby
# Named checks with rbvmomi 1.8 (Debian ruby-rbvmomi) against a bpsim vCenter or standalone ESXi
# host agent, as a user's own Ruby tooling would run them. Prints one JSON line per check:
# {"check": name, "ok": bool, "error": "...", "detail": "..."}.
#
# Usage: SSL_CERT_FILE=<lab CA> checks.rb CONFIG_JSON
# rbvmomi has no CA option: with insecure: false it verifies the server against OpenSSL's default
# store, which honours SSL_CERT_FILE, so the lab CA is given that way (and the hostname/IP is checked).
require 'json'
require 'rbvmomi'

CFG = JSON.parse(File.read(ARGV.fetch(0)))
VIM = RbVmomi::VIM

def emit(name, ok, detail: nil, error: nil)
  r = { check: name, ok: ok }
  r[:detail] = detail if detail
  r[:error] = error if error
  puts JSON.generate(r)
  $stdout.flush
end

$failed = false
def check(name)
  detail = yield
  emit(name, true, detail: detail.to_s)
rescue Exception => e # rubocop:disable Lint/RescueException -- a check's failure, whatever it is, is its result
  $failed = true
  emit(name, false, error: "#{e.class}: #{e.message}".lines.first(3).join.strip + " (#{e.backtrace&.first})")
end

def fail!(msg)
  raise RuntimeError, msg
end

# Runs the block, which must raise a vim fault of class `want`.
def expect_fault(want, what)
  yield
  fail!("#{what} succeeded, want #{want}")
rescue RbVmomi::Fault => e
  fail!("#{what}: #{e.fault.class}, want #{want}") unless e.fault.is_a?(want)
end

vim = nil
dc = nil
vm = nil

check('connect') do
  vim = VIM.connect(host: CFG['host'], port: CFG['port'], insecure: false, user: CFG['user'], password: CFG['password'])
  about = vim.serviceContent.about
  user = vim.serviceContent.sessionManager.currentSession.userName
  "#{about.apiType} #{about.apiVersion} as #{user} (verified against the lab CA)"
end
exit 1 unless vim

check('inventory') do
  dcs = vim.serviceContent.rootFolder.childEntity.grep(VIM::Datacenter)
  dc = dcs.find { |d| d.name == CFG['datacenter'] } or fail!("datacenter #{CFG['datacenter']} not in #{dcs.map(&:name)}")
  hosts = dc.hostFolder.childEntity.flat_map { |cr| cr.respond_to?(:host) ? cr.host : [] }
  vms = []
  walk = lambda do |f|
    f.childEntity.each { |c| c.is_a?(VIM::Folder) ? walk.call(c) : (vms << c if c.is_a?(VIM::VirtualMachine)) }
  end
  walk.call(dc.vmFolder)
  want = CFG['expect']
  got = { 'hosts' => hosts.size, 'vms' => vms.size, 'datastores' => dc.datastore.size }
  fail!("found #{got}, want #{want}") unless got.all? { |k, v| want[k] == v }
  "#{dcs.size} datacenters, #{got}, #{dc.network.size} networks"
end

# Network objects: what a restore attaches a NIC to.
check('networks') do
  dc or fail!('no datacenter (inventory failed)')
  nets = dc.network
  fail!('datacenter has no networks') if nets.empty?
  names = nets.map(&:name)
  fail!("network folder lists #{dc.networkFolder.childEntity.size}, datacenter #{nets.size}") unless dc.networkFolder.childEntity.size >= nets.size
  names.join(', ')
end

check('find-path') do
  dc ||= vim.serviceContent.rootFolder.childEntity.grep(VIM::Datacenter).first
  vm = dc.find_vm(CFG['vm']) or fail!("Datacenter#find_vm(#{CFG['vm']}) found nothing")
  path = "#{CFG['datacenter']}/vm/#{CFG['vm']}"
  byPath = vim.serviceContent.searchIndex.FindByInventoryPath(inventoryPath: path)
  fail!("FindByInventoryPath(#{path}) = #{byPath.inspect}, want #{vm._ref}") unless byPath && byPath._ref == vm._ref
  uuid = vm.config.instanceUuid
  byUuid = vim.serviceContent.searchIndex.FindByUuid(datacenter: dc, uuid: uuid, vmSearch: true, instanceUuid: true)
  fail!("FindByUuid(#{uuid}) = #{byUuid.inspect}") unless byUuid && byUuid._ref == vm._ref
  "#{path} -> #{vm._ref}"
end

check('property-collector') do
  sc = vim.serviceContent
  view = sc.viewManager.CreateContainerView(container: sc.rootFolder, type: ['VirtualMachine'], recursive: true)
  begin
    spec = {
      objectSet: [{ obj: view, skip: true, selectSet: [VIM::TraversalSpec.new(name: 'view', type: 'ContainerView', path: 'view', skip: false)] }],
      propSet: [{ type: 'VirtualMachine', pathSet: %w[name runtime.powerState config.uuid config.hardware.device summary.storage.committed] }]
    }
    result = sc.propertyCollector.RetrievePropertiesEx(specSet: [spec], options: {})
    objs = result.objects
    token = result.token
    while token
      more = sc.propertyCollector.ContinueRetrievePropertiesEx(token: token)
      objs += more.objects
      token = more.token
    end
  ensure
    view.DestroyView
  end
  fail!("#{objs.size} VMs, want #{CFG['expect']['vms']}") unless objs.size == CFG['expect']['vms']
  disks = 0
  objs.each do |o|
    props = Hash[o.propSet.map { |p| [p.name, p.val] }]
    fail!("#{o.obj._ref}: no name/powerState") unless props['name'] && props['runtime.powerState']
    disks += props['config.hardware.device'].grep(VIM::VirtualDisk).size
  end
  # The same through rbvmomi's own helper.
  names = vm ? vm.collect('name', 'runtime.powerState') : []
  "#{objs.size} VMs, #{disks} disks; #{names.inspect}"
end

snap_task = nil
check('snapshot') do
  vm or fail!('no VM (find-path failed)')
  snap_task = vm.CreateSnapshot_Task(name: 'rbvmomi', description: 'bpsim rbvmomi', memory: false, quiesce: false)
  snap = snap_task.wait_for_completion
  fail!("task result #{snap.inspect} is not a snapshot") unless snap.is_a?(VIM::VirtualMachineSnapshot)
  tree = vm.snapshot.rootSnapshotList
  fail!("snapshot #{snap._ref} not in the tree") unless tree.any? { |t| t.snapshot._ref == snap._ref }
  snap.RemoveSnapshot_Task(removeChildren: false).wait_for_completion
  left = vm.snapshot ? vm.snapshot.rootSnapshotList.size : 0
  fail!("#{left} snapshots left after removal") unless left.zero?
  "#{snap._ref} created and removed"
end

check('task-wait') do
  snap_task or fail!('no task (snapshot failed)')
  info = snap_task.info
  fail!("state #{info.state}") unless info.state == 'success'
  fail!("task entity #{info.entity.inspect}") unless info.entity && vm && info.entity._ref == vm._ref
  "#{snap_task._ref} #{info.descriptionId} #{info.state}"
end

# vCenter fails a power operation that cannot run inside its task, with InvalidPowerState.
check('task-error') do
  vm or fail!('no VM (find-path failed)')
  task = begin
    vm.PowerOnVM_Task
  rescue RbVmomi::Fault => e
    fail!("PowerOnVM_Task on a running VM faulted the call (#{e.message}); vCenter fails the task instead")
  end
  expect_fault(VIM::InvalidPowerState, 'PowerOnVM_Task on a running VM') { task.wait_for_completion }
  "InvalidPowerState inside #{task._ref}"
end

check('logout') do
  vim.serviceContent.sessionManager.Logout
  expect_fault(VIM::NotAuthenticated, 'a property read after logout') { vim.serviceContent.rootFolder.name }
  'NotAuthenticated after logout'
end

exit($failed ? 1 : 0)
