package main

import (
	"context"
	"fmt"
	"io/ioutil"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Download the VM's .vmx over /folder (object.Datastore.Download: dcPath, dsName, the session
// cookie or a service ticket) and check it names the VM's disks.
func checkDatastoreDownload(ctx context.Context, e *env) (string, error) {
	vm, err := e.vm(ctx)
	if err != nil {
		return "", err
	}
	var props mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config.files.vmPathName", "config.hardware.device"}, &props); err != nil {
		return "", err
	}
	var p object.DatastorePath
	if !p.FromString(props.Config.Files.VmPathName) {
		return "", fmt.Errorf("vmPathName %q is not a datastore path", props.Config.Files.VmPathName)
	}
	ds, err := e.finder.Datastore(ctx, p.Datastore)
	if err != nil {
		return "", err
	}
	rd, _, err := ds.Download(ctx, p.Path, &soap.DefaultDownload)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", props.Config.Files.VmPathName, err)
	}
	defer rd.Close()
	body, err := ioutil.ReadAll(rd)
	if err != nil {
		return "", err
	}
	vmx := string(body)
	if !strings.Contains(vmx, "displayName") {
		return "", fmt.Errorf("%s has no displayName: %.200q", p.Path, vmx)
	}
	// Each disk of the inventory appears in the .vmx by its file name.
	disks := object.VirtualDeviceList(props.Config.Hardware.Device).SelectByType((*types.VirtualDisk)(nil))
	for _, d := range disks {
		b, ok := d.GetVirtualDevice().Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		var dp object.DatastorePath
		dp.FromString(b.GetVirtualDeviceFileBackingInfo().FileName)
		name := dp.Path[strings.LastIndex(dp.Path, "/")+1:]
		if !strings.Contains(vmx, name) {
			return "", fmt.Errorf("%s does not name disk %s", p.Path, name)
		}
	}
	return fmt.Sprintf("%s: %d bytes, %d disks named", props.Config.Files.VmPathName, len(body), len(disks)), nil
}
