"""pyVmomi as an outside client: log in to vCenter by the host name of the endpoint URL bpsim hands
out, ask for a guest file upload, and PUT to the transfer URL exactly as returned (its host name
resolved by the system, its certificate checked against the lab CA). argv[1]: JSON config
{"url", "ca", "user", "password", "vm", "guestUser", "guestPassword"}. Prints {"url", "status"}."""
import json
import ssl
import sys
import urllib.request
from urllib.parse import urlparse

from pyVim.connect import SmartConnect, Disconnect
from pyVmomi import vim

cfg = json.load(open(sys.argv[1]))
ctx = ssl.create_default_context(cafile=cfg["ca"])
u = urlparse(cfg["url"])
si = SmartConnect(host=u.hostname, port=u.port or 443, user=cfg["user"], pwd=cfg["password"], sslContext=ctx)
content = si.RetrieveContent()
view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
vm = next(v for v in view.view if v.name == cfg["vm"])
auth = vim.vm.guest.NamePasswordAuthentication(username=cfg["guestUser"], password=cfg["guestPassword"], interactiveSession=False)
payload = b"bpsim names resolve\n" * 32
url = content.guestOperationsManager.fileManager.InitiateFileTransferToGuest(
    vm, auth, "/tmp/bpsim-names.bin", vim.vm.guest.FileManager.FileAttributes(), len(payload), True)
req = urllib.request.Request(url, data=payload, method="PUT", headers={"Content-Length": str(len(payload))})
with urllib.request.urlopen(req, context=ctx) as resp:
    status = resp.status
Disconnect(si)
print(json.dumps({"url": url, "status": status}))
