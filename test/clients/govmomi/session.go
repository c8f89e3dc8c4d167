package main

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/session/keepalive"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Before Login, currentSession is unset (vCenter answers it in missingSet, NotAuthenticated):
// that is how clients tell that a saved session must log in again.
func checkSessionProbe(ctx context.Context, e *env) (string, error) {
	s, err := e.c.SessionManager.UserSession(ctx)
	if err != nil {
		return "", fmt.Errorf("UserSession before login: %w", err)
	}
	if s != nil {
		return "", fmt.Errorf("UserSession before login = %+v, want nil", s)
	}
	return "no session before login", nil
}

func checkLogin(ctx context.Context, e *env) (string, error) {
	if err := e.c.Login(ctx, url.UserPassword(e.cfg.User, e.cfg.Password)); err != nil {
		return "", err
	}
	s, err := e.c.SessionManager.UserSession(ctx)
	if err != nil {
		return "", err
	}
	if s == nil || s.UserName == "" {
		return "", fmt.Errorf("no current session after login")
	}
	e.finder = find.NewFinder(e.c.Client, true)
	dc, err := e.finder.DefaultDatacenter(ctx)
	if err != nil {
		return "", fmt.Errorf("default datacenter: %w", err)
	}
	e.dc = dc
	e.finder.SetDatacenter(dc)
	return fmt.Sprintf("%s as %s (%s %s)", e.c.ServiceContent.About.ApiType, s.UserName, e.c.ServiceContent.About.Version, dc.InventoryPath), nil
}

// A second session with govmomi's keepalive handler: it calls CurrentTime whenever the session was
// idle for the interval, and the session stays valid throughout.
func checkKeepalive(ctx context.Context, e *env) (string, error) {
	c, _, err := newClient(ctx, e.cfg)
	if err != nil {
		return "", err
	}
	var sent int32
	rt := c.Client.RoundTripper
	c.Client.RoundTripper = keepalive.NewHandlerSOAP(rt, 150*time.Millisecond, func() error {
		atomic.AddInt32(&sent, 1)
		_, err := methods.GetCurrentTime(context.Background(), rt)
		return err
	})
	m := session.NewManager(c.Client)
	if err := m.Login(ctx, url.UserPassword(e.cfg.User, e.cfg.Password)); err != nil {
		return "", err
	}
	deadline := time.Now().Add(20 * time.Second)
	for atomic.LoadInt32(&sent) < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := atomic.LoadInt32(&sent); n < 3 {
		return "", fmt.Errorf("keepalive sent %d CurrentTime calls, want >= 3", n)
	}
	s, err := m.UserSession(ctx)
	if err != nil || s == nil {
		return "", fmt.Errorf("session lost while kept alive: %v", err)
	}
	if err := m.Logout(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d keepalive calls", atomic.LoadInt32(&sent)), nil
}

// After Logout every call needs a new login: NotAuthenticated.
func checkLogout(ctx context.Context, e *env) (string, error) {
	if err := e.c.Logout(ctx); err != nil {
		return "", err
	}
	var root mo.Folder
	err := e.c.RetrieveOne(ctx, e.c.ServiceContent.RootFolder, []string{"name"}, &root)
	if err == nil {
		return "", fmt.Errorf("property read after logout succeeded")
	}
	if !soap.IsSoapFault(err) {
		return "", fmt.Errorf("after logout: %v (not a SOAP fault)", err)
	}
	switch soap.ToSoapFault(err).VimFault().(type) {
	case types.NotAuthenticated, *types.NotAuthenticated:
	default:
		return "", fmt.Errorf("after logout: %v, want NotAuthenticated", err)
	}
	return "NotAuthenticated after logout", nil
}
