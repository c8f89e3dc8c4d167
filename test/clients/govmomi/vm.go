package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// A restore's VM work: CreateVM_Task with a controller, a disk and a NIC (govc vm.create), then
// ReconfigVM_Task (annotation, extraConfig, a second disk), CloneVM_Task (vCenter only; a host agent
// has no CloneVM), and Destroy_Task of both.
func checkVMLifecycle(ctx context.Context, e *env) (string, error) {
	name := fmt.Sprintf("govmomi-%d", time.Now().UnixNano()%1e6)
	folders, err := e.dc.Folders(ctx)
	if err != nil {
		return "", err
	}
	pool, err := e.finder.DefaultResourcePool(ctx)
	if err != nil {
		return "", fmt.Errorf("resource pool: %w", err)
	}
	dss, err := e.finder.DatastoreList(ctx, "*")
	if err != nil {
		return "", err
	}
	ds := dss[0]
	dsName, err := ds.ObjectName(ctx)
	if err != nil {
		return "", err
	}
	network, err := e.finder.DefaultNetwork(ctx)
	if err != nil {
		return "", fmt.Errorf("network for the NIC: %w", err)
	}
	backing, err := network.EthernetCardBackingInfo(ctx)
	if err != nil {
		return "", err
	}

	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return "", err
	}
	devices = append(devices, scsi)
	ctrl := devices.PickController((*types.ParaVirtualSCSIController)(nil))
	disk := devices.CreateDisk(ctrl, ds.Reference(), "")
	disk.CapacityInKB = 64 * 1024
	devices = append(devices, disk)
	nic, err := devices.CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return "", err
	}
	devices = append(devices, nic)
	change, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return "", err
	}
	spec := types.VirtualMachineConfigSpec{
		Name:         name,
		GuestId:      string(types.VirtualMachineGuestOsIdentifierOtherGuest64),
		NumCPUs:      1,
		MemoryMB:     256,
		Files:        &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", dsName)},
		DeviceChange: change,
	}
	ct, err := folders.VmFolder.CreateVM(ctx, spec, pool, nil)
	if err != nil {
		return "", fmt.Errorf("CreateVM_Task: %w", err)
	}
	info, err := ct.WaitForResult(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("CreateVM_Task: %w", err)
	}
	vm := object.NewVirtualMachine(e.c.Client, info.Result.(types.ManagedObjectReference))
	created := []*object.VirtualMachine{vm}
	defer func() {
		for _, v := range created {
			if t, err := v.Destroy(context.Background()); err == nil {
				_ = t.Wait(context.Background())
			}
		}
	}()

	got, err := vmDisks(ctx, vm)
	if err != nil {
		return "", err
	}
	want := fmt.Sprintf("[%s] %s/%s.vmdk", dsName, name, name)
	if len(got.disks) != 1 || got.disks[0] != want {
		return "", fmt.Errorf("created VM disks %v, want [%s]", got.disks, want)
	}
	if got.nics != 1 {
		return "", fmt.Errorf("created VM has %d NICs, want 1", got.nics)
	}

	// Reconfigure: what a restore writes back.
	var existing object.VirtualDeviceList
	existing = append(existing, scsi)
	disk2 := existing.CreateDisk(ctrl, ds.Reference(), "")
	disk2.CapacityInKB = 32 * 1024
	add2, err := object.VirtualDeviceList{disk2}.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return "", err
	}
	rt, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{
		Annotation:   "restored by govmomi",
		ExtraConfig:  []types.BaseOptionValue{&types.OptionValue{Key: "bpsim.restore", Value: "yes"}},
		DeviceChange: fixControllerKeys(ctx, vm, add2),
	})
	if err != nil {
		return "", fmt.Errorf("ReconfigVM_Task: %w", err)
	}
	if err := rt.Wait(ctx); err != nil {
		return "", fmt.Errorf("ReconfigVM_Task: %w", err)
	}
	got, err = vmDisks(ctx, vm)
	if err != nil {
		return "", err
	}
	if got.annotation != "restored by govmomi" || got.extra["bpsim.restore"] != "yes" || len(got.disks) != 2 {
		return "", fmt.Errorf("after ReconfigVM: annotation %q, extraConfig bpsim.restore=%q, %d disks; want the annotation, yes, 2", got.annotation, got.extra["bpsim.restore"], len(got.disks))
	}

	clones := 0
	if e.isVC() {
		poolRef := pool.Reference()
		ct, err := vm.Clone(ctx, folders.VmFolder, name+"-clone", types.VirtualMachineCloneSpec{Location: types.VirtualMachineRelocateSpec{Pool: &poolRef}})
		if err != nil {
			return "", fmt.Errorf("CloneVM_Task: %w", err)
		}
		info, err := ct.WaitForResult(ctx, nil)
		if err != nil {
			return "", fmt.Errorf("CloneVM_Task: %w", err)
		}
		clone := object.NewVirtualMachine(e.c.Client, info.Result.(types.ManagedObjectReference))
		created = append(created, clone)
		cg, err := vmDisks(ctx, clone)
		if err != nil {
			return "", err
		}
		if len(cg.disks) != 2 || cg.annotation != got.annotation {
			return "", fmt.Errorf("clone has %d disks, annotation %q; want 2 and the source's", len(cg.disks), cg.annotation)
		}
		clones = 1
	}

	for _, v := range created {
		dt, err := v.Destroy(ctx)
		if err != nil {
			return "", fmt.Errorf("Destroy_Task: %w", err)
		}
		if err := dt.Wait(ctx); err != nil {
			return "", fmt.Errorf("Destroy_Task: %w", err)
		}
	}
	created = nil
	if _, err := e.finder.VirtualMachine(ctx, e.vmPath(name)); err == nil {
		return "", fmt.Errorf("%s still found after Destroy_Task", name)
	}
	return fmt.Sprintf("created %s (%s), reconfigured, %d clone(s), destroyed", name, want, clones), nil
}

type vmState struct {
	disks      []string
	nics       int
	annotation string
	extra      map[string]string
}

func vmDisks(ctx context.Context, vm *object.VirtualMachine) (vmState, error) {
	var props mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config"}, &props); err != nil {
		return vmState{}, err
	}
	s := vmState{annotation: props.Config.Annotation, extra: map[string]string{}}
	devices := object.VirtualDeviceList(props.Config.Hardware.Device)
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		if b, ok := d.GetVirtualDevice().Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			s.disks = append(s.disks, b.GetVirtualDeviceFileBackingInfo().FileName)
		}
	}
	s.nics = len(devices.SelectByType((*types.VirtualEthernetCard)(nil)))
	for _, o := range props.Config.ExtraConfig {
		v := o.GetOptionValue()
		s.extra[v.Key] = fmt.Sprint(v.Value)
	}
	return s, nil
}

// A new disk for an existing VM names the VM's real controller key (the one the server assigned).
func fixControllerKeys(ctx context.Context, vm *object.VirtualMachine, change []types.BaseVirtualDeviceConfigSpec) []types.BaseVirtualDeviceConfigSpec {
	devices, err := vm.Device(ctx)
	if err != nil {
		return change
	}
	ctrl, err := devices.FindSCSIController("")
	if err != nil {
		return change
	}
	for _, c := range change {
		d := c.GetVirtualDeviceConfigSpec().Device.GetVirtualDevice()
		d.ControllerKey = ctrl.GetVirtualController().Key
		unit := int32(1)
		d.UnitNumber = &unit
		c.GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
	}
	return change
}
