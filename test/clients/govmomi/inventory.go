package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The finder walks the inventory the way govc does: datacenters, then hosts (through compute
// resources), VMs, datastores and networks, each found by path wildcard.
func checkInventory(ctx context.Context, e *env) (string, error) {
	f := e.finder
	dcs, err := f.DatacenterList(ctx, "*")
	if err != nil {
		return "", fmt.Errorf("datacenters: %w", err)
	}
	hosts, err := f.HostSystemList(ctx, "*")
	if err != nil {
		return "", fmt.Errorf("hosts: %w", err)
	}
	vms, err := f.VirtualMachineList(ctx, "*")
	if err != nil {
		return "", fmt.Errorf("vms: %w", err)
	}
	dss, err := f.DatastoreList(ctx, "*")
	if err != nil {
		return "", fmt.Errorf("datastores: %w", err)
	}
	nets, err := f.NetworkList(ctx, "*")
	if err != nil {
		return "", fmt.Errorf("networks: %w", err)
	}
	want := e.cfg.Expect
	if len(hosts) != want.Hosts || len(vms) != want.VMs || len(dss) != want.Datastores {
		return "", fmt.Errorf("found %d hosts, %d vms, %d datastores; want %d, %d, %d", len(hosts), len(vms), len(dss), want.Hosts, want.VMs, want.Datastores)
	}
	return fmt.Sprintf("%d datacenters, %d hosts, %d vms, %d datastores, %d networks", len(dcs), len(hosts), len(vms), len(dss), len(nets)), nil
}

func (e *env) vmPath(name string) string {
	return e.dc.InventoryPath + "/vm/" + name
}

// The VM under test, found through the finder (inventory path traversal).
func (e *env) vm(ctx context.Context) (*object.VirtualMachine, error) {
	return e.finder.VirtualMachine(ctx, e.vmPath(e.cfg.VM))
}

// SearchIndex.FindByInventoryPath and the finder's own path walk must agree.
func checkFindPath(ctx context.Context, e *env) (string, error) {
	si := object.NewSearchIndex(e.c.Client)
	path := strings.TrimPrefix(e.vmPath(e.cfg.VM), "/")
	ref, err := si.FindByInventoryPath(ctx, path)
	if err != nil {
		return "", fmt.Errorf("FindByInventoryPath(%s): %w", path, err)
	}
	if ref == nil {
		return "", fmt.Errorf("FindByInventoryPath(%s): not found", path)
	}
	vm, err := e.vm(ctx)
	if err != nil {
		return "", fmt.Errorf("finder.VirtualMachine: %w", err)
	}
	if vm.Reference() != ref.Reference() {
		return "", fmt.Errorf("finder says %s, SearchIndex says %s", vm.Reference(), ref.Reference())
	}
	missing, err := si.FindByInventoryPath(ctx, path+"-missing")
	if err != nil || missing != nil {
		return "", fmt.Errorf("unknown path: got %v, %v; want nil, nil", missing, err)
	}
	return fmt.Sprintf("%s -> %s", path, ref.Reference()), nil
}

// FindByUuid with the BIOS uuid and with the instance uuid.
func checkFindUUID(ctx context.Context, e *env) (string, error) {
	vm, err := e.vm(ctx)
	if err != nil {
		return "", err
	}
	var props mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config.uuid", "config.instanceUuid"}, &props); err != nil {
		return "", err
	}
	si := object.NewSearchIndex(e.c.Client)
	for _, q := range []struct {
		uuid     string
		instance bool
	}{{props.Config.Uuid, false}, {props.Config.InstanceUuid, true}} {
		inst := q.instance
		ref, err := si.FindByUuid(ctx, e.dc, q.uuid, true, &inst)
		if err != nil {
			return "", fmt.Errorf("FindByUuid(%s, instance=%t): %w", q.uuid, inst, err)
		}
		if ref == nil || ref.Reference() != vm.Reference() {
			return "", fmt.Errorf("FindByUuid(%s, instance=%t) = %v, want %s", q.uuid, inst, ref, vm.Reference())
		}
	}
	return props.Config.Uuid, nil
}

// What backup software reads of every VM and host in one PropertyCollector round trip: govmomi
// decodes each value into its Go type, so a wrong xsi:type or an empty array fails here.
func checkProperties(ctx context.Context, e *env) (string, error) {
	vms, err := e.finder.VirtualMachineList(ctx, "*")
	if err != nil {
		return "", err
	}
	refs := make([]types.ManagedObjectReference, len(vms))
	for i, vm := range vms {
		refs[i] = vm.Reference()
	}
	pc := property.DefaultCollector(e.c.Client)
	var got []mo.VirtualMachine
	if err := pc.Retrieve(ctx, refs, []string{"name", "runtime", "config", "snapshot", "guest", "summary", "datastore", "network", "parent", "resourcePool"}, &got); err != nil {
		return "", fmt.Errorf("VirtualMachine properties: %w", err)
	}
	disks := 0
	for _, vm := range got {
		if vm.Config == nil {
			return "", fmt.Errorf("%s: no config", vm.Name)
		}
		disks += len(object.VirtualDeviceList(vm.Config.Hardware.Device).SelectByType((*types.VirtualDisk)(nil)))
	}
	hosts, err := e.finder.HostSystemList(ctx, "*")
	if err != nil {
		return "", err
	}
	hrefs := make([]types.ManagedObjectReference, len(hosts))
	for i, h := range hosts {
		hrefs[i] = h.Reference()
	}
	var hs []mo.HostSystem
	if err := pc.Retrieve(ctx, hrefs, []string{"name", "summary", "hardware", "config", "runtime", "datastore", "vm", "network"}, &hs); err != nil {
		return "", fmt.Errorf("HostSystem properties: %w", err)
	}
	for _, h := range hs {
		if h.Hardware == nil || h.Hardware.SystemInfo.Uuid == "" || h.Hardware.MemorySize == 0 {
			return "", fmt.Errorf("host %s: no hardware (systemInfo.uuid, memorySize)", h.Name)
		}
		if h.Config == nil {
			return "", fmt.Errorf("host %s: config==nil", h.Name)
		}
	}
	return fmt.Sprintf("%d vms (%d disks), %d hosts", len(got), disks, len(hs)), nil
}
