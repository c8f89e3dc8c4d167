// Command govmomi-transfer checks, with govmomi itself, the path a Go backup client takes to turn a
// guest-file transfer URL into an address: guest.FileManager.TransferURL reads the VM's runtime
// host, then that host's summary.config.sslThumbprint and config.virtualNicManagerInfo.netConfig
// (the selected management VMkernel NIC's IP). It prints the rewritten URL as JSON.
//
// Usage: govmomi-transfer CONFIG_JSON   ({"url", "ca", "user", "password", "vm", "transfer"})
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/guest"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
)

type config struct {
	URL      string `json:"url"`
	CA       string `json:"ca"`
	User     string `json:"user"`
	Password string `json:"password"`
	VM       string `json:"vm"`
	Transfer string `json:"transfer"`
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		fail(err)
	}
	ctx := context.Background()
	u, err := soap.ParseURL(cfg.URL)
	if err != nil {
		fail(err)
	}
	u.User = url.UserPassword(cfg.User, cfg.Password)
	soapClient := soap.NewClient(u, false)
	if err := soapClient.SetRootCAs(cfg.CA); err != nil {
		fail(err)
	}
	vimClient, err := govmomiVim(ctx, soapClient)
	if err != nil {
		fail(err)
	}
	c := &govmomi.Client{Client: vimClient, SessionManager: session.NewManager(vimClient)}
	if err := c.Login(ctx, u.User); err != nil {
		fail(err)
	}
	finder := find.NewFinder(c.Client, true)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		fail(err)
	}
	finder.SetDatacenter(dc)
	vm, err := finder.VirtualMachine(ctx, cfg.VM)
	if err != nil {
		fail(err)
	}
	ops := guest.NewOperationsManager(c.Client, vm.Reference())
	fm, err := ops.FileManager(ctx)
	if err != nil {
		fail(err)
	}
	turl, err := fm.TransferURL(ctx, cfg.Transfer)
	if err != nil {
		fail(err)
	}
	var host mo.HostSystem
	ref, err := vm.HostSystem(ctx)
	if err != nil {
		fail(err)
	}
	if err := object.NewHostSystem(c.Client, ref.Reference()).Properties(ctx, ref.Reference(), []string{"config.network.vnic", "hardware.systemInfo"}, &host); err != nil {
		fail(err)
	}
	out, _ := json.Marshal(map[string]interface{}{
		"url":        turl.String(),
		"vnicIp":     host.Config.Network.Vnic[0].Spec.Ip.IpAddress,
		"systemUuid": host.Hardware.SystemInfo.Uuid,
	})
	fmt.Println(string(out))
}
