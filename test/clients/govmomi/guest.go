package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io/ioutil"
	"net"

	"github.com/vmware/govmomi/guest"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Upload a file into the guest and read it back the way govc guest.upload/download do: the guest
// FileManager hands out a URL on the VM's host, TransferURL turns the host name into an address
// (HostSystem config on vCenter, the client's own host for "*" on ESXi), then HTTP PUT/GET.
func checkGuestTransfer(ctx context.Context, e *env) (string, error) {
	vm, err := e.vm(ctx)
	if err != nil {
		return "", err
	}
	om := guest.NewOperationsManager(e.c.Client, vm.Reference())
	fm, err := om.FileManager(ctx)
	if err != nil {
		return "", err
	}
	auth := &types.NamePasswordAuthentication{Username: e.cfg.GuestUser, Password: e.cfg.GuestPassword}
	payload := make([]byte, 64*1024+17)
	_, _ = rand.Read(payload)

	up, err := fm.InitiateFileTransferToGuest(ctx, auth, e.cfg.GuestPath, &types.GuestFileAttributes{}, int64(len(payload)), true)
	if err != nil {
		return "", fmt.Errorf("InitiateFileTransferToGuest: %w", err)
	}
	u, err := fm.TransferURL(ctx, up)
	if err != nil {
		return "", fmt.Errorf("TransferURL(%s): %w", up, err)
	}
	// The URL names the host; govmomi must have turned it into the host's management address.
	if net.ParseIP(u.Hostname()) == nil {
		return "", fmt.Errorf("TransferURL(%s) kept the host name %q instead of an address", up, u.Hostname())
	}
	p := soap.DefaultUpload
	p.ContentLength = int64(len(payload))
	if err := e.c.Client.Upload(ctx, bytes.NewReader(payload), u, &p); err != nil {
		return "", fmt.Errorf("PUT %s: %w", u, err)
	}

	info, err := fm.InitiateFileTransferFromGuest(ctx, auth, e.cfg.GuestPath)
	if err != nil {
		return "", fmt.Errorf("InitiateFileTransferFromGuest: %w", err)
	}
	if info.Size != int64(len(payload)) {
		return "", fmt.Errorf("FileTransferInformation.size %d, want %d", info.Size, len(payload))
	}
	du, err := fm.TransferURL(ctx, info.Url)
	if err != nil {
		return "", fmt.Errorf("TransferURL(%s): %w", info.Url, err)
	}
	rd, _, err := e.c.Client.Download(ctx, du, &soap.DefaultDownload)
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", du, err)
	}
	defer rd.Close()
	got, err := ioutil.ReadAll(rd)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(got, payload) {
		return "", fmt.Errorf("downloaded %d bytes differ from the %d uploaded", len(got), len(payload))
	}
	return fmt.Sprintf("%d bytes via %s", len(payload), u.Host), nil
}
