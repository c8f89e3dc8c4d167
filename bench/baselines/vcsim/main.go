// Command vcsim-baseline starts govmomi's vcsim (Debian golang-github-vmware-govmomi-dev) with a
// given number of VMs on a lab certificate, prints one JSON line {"url", "readyMs"} and serves until
// its stdin closes. bench/soap.ts measures it next to bpsim in the same run.
//
// Usage: vcsim-baseline VMS HOSTS CERT_PEM KEY_PEM
package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"strconv"
	"time"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: vcsim-baseline VMS HOSTS CERT_PEM KEY_PEM")
		os.Exit(2)
	}
	vms, _ := strconv.Atoi(os.Args[1])
	hosts, _ := strconv.Atoi(os.Args[2])
	cert, err := tls.LoadX509KeyPair(os.Args[3], os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	started := time.Now()
	model := simulator.VPX()
	// One cluster of `hosts` hosts and one resource pool holding every VM, like a bpsim lab.
	model.Host = 0
	model.Cluster = 1
	model.ClusterHost = hosts
	model.Machine = vms
	model.Datastore = 1
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	server := model.Service.NewServer()
	ready := time.Since(started)
	out, _ := json.Marshal(map[string]interface{}{"url": server.URL.String(), "readyMs": float64(ready.Microseconds()) / 1000})
	fmt.Println(string(out))
	ioutil.ReadAll(os.Stdin)
	server.Close()
	model.Remove()
}
