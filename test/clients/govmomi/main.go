// Command govmomi-checks runs named checks with govmomi (Debian golang-github-vmware-govmomi-dev,
// 0.24) against a bpsim vCenter or standalone ESXi host agent, as a user's own Go backup software
// would. It prints one JSON line per check: {"check": name, "ok": bool, "error": "...", "detail": "..."}.
//
// Usage: govmomi-checks CONFIG_JSON   (see config below; test/clients/govmomi.test.ts writes it)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

type config struct {
	URL      string `json:"url"`
	CA       string `json:"ca"`
	User     string `json:"user"`
	Password string `json:"password"`
	// "vcenter" or "esxi": some checks differ (tags and CloneVM exist on vCenter only).
	Target string `json:"target"`
	// A powered-on VM with Tools running, and its guest login.
	VM            string `json:"vm"`
	GuestUser     string `json:"guestUser"`
	GuestPassword string `json:"guestPassword"`
	GuestPath     string `json:"guestPath"`
	// Inventory sizes the lab was started with.
	Expect struct {
		Hosts      int `json:"hosts"`
		VMs        int `json:"vms"`
		Datastores int `json:"datastores"`
	} `json:"expect"`
	// Only these checks (all when empty).
	Checks []string `json:"checks"`
}

// env is what every check gets: the logged-in client and a finder on the first datacenter.
type env struct {
	cfg    config
	url    *url.URL
	c      *govmomi.Client
	finder *find.Finder
	dc     *object.Datacenter
}

func (e *env) isVC() bool { return e.cfg.Target == "vcenter" }

type check struct {
	name string
	run  func(ctx context.Context, e *env) (string, error)
}

// The order matters: login first, logout last.
var checks = []check{
	{"session-probe", checkSessionProbe},
	{"login", checkLogin},
	{"inventory", checkInventory},
	{"find-path", checkFindPath},
	{"find-uuid", checkFindUUID},
	{"properties", checkProperties},
	{"events", checkEvents},
	{"tasks", checkTasks},
	{"guest-transfer", checkGuestTransfer},
	{"datastore-download", checkDatastoreDownload},
	{"vm-lifecycle", checkVMLifecycle},
	{"tags", checkTags},
	{"keepalive", checkKeepalive},
	{"logout", checkLogout},
}

type result struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Skip   bool   `json:"skip,omitempty"`
	Error  string `json:"error,omitempty"`
	Detail string `json:"detail,omitempty"`
	Ms     int64  `json:"ms"`
}

// errSkip marks a check that does not apply to this target (e.g. tags on ESXi).
type errSkip string

func (e errSkip) Error() string { return string(e) }

func emit(r result) {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// runOne turns a panic (govmomi panics on some malformed answers) into the check's error.
func runOne(e *env, ch check) (r result) {
	r.Check = ch.name
	start := time.Now()
	defer func() {
		r.Ms = time.Since(start).Milliseconds()
		if p := recover(); p != nil {
			r.OK = false
			r.Error = fmt.Sprintf("panic: %v\n%s", p, firstLines(string(debug.Stack()), 12))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	detail, err := ch.run(ctx, e)
	r.Detail = detail
	if s, ok := err.(errSkip); ok {
		r.OK, r.Skip, r.Detail = true, true, string(s)
		return r
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.OK = true
	return r
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// newClient connects (TLS verified against the lab CA, never insecure) without logging in.
func newClient(ctx context.Context, cfg config) (*govmomi.Client, *url.URL, error) {
	u, err := soap.ParseURL(cfg.URL)
	if err != nil {
		return nil, nil, err
	}
	u.User = nil
	sc := soap.NewClient(u, false)
	if err := sc.SetRootCAs(cfg.CA); err != nil {
		return nil, nil, fmt.Errorf("lab CA: %w", err)
	}
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, nil, err
	}
	return &govmomi.Client{Client: vc, SessionManager: session.NewManager(vc)}, u, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: govmomi-checks CONFIG_JSON")
		os.Exit(2)
	}
	raw, err := ioutil.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	c, u, err := newClient(ctx, cfg)
	cancel()
	if err != nil {
		emit(result{Check: "connect", Error: err.Error()})
		os.Exit(1)
	}
	e := &env{cfg: cfg, url: u, c: c}
	want := map[string]bool{}
	for _, n := range cfg.Checks {
		want[n] = true
	}
	failed := false
	for _, ch := range checks {
		if len(want) > 0 && !want[ch.name] && ch.name != "login" {
			continue
		}
		r := runOne(e, ch)
		failed = failed || !r.OK
		emit(r)
	}
	if failed {
		os.Exit(1)
	}
}
