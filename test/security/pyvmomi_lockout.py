#!/usr/bin/python3
"""Wrong passwords, then the right one, with the official pyVmomi SDK: prints one line per Login.

Usage: pyvmomi_lockout.py HOST PORT CA_FILE USER PASSWORD WRONG_TIMES
Each line is "ok" or the fault's class name as pyVmomi maps it (e.g. vim.fault.InvalidLogin).
"""
import ssl
import sys

from pyVim.connect import SmartConnect, Disconnect

host, port, ca, user, password, wrong = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
for pwd in ["wrong-password"] * int(wrong) + [password]:
    try:
        si = SmartConnect(host=host, port=int(port), user=user, pwd=pwd, sslContext=ctx)
        print("ok", flush=True)
        Disconnect(si)
    except Exception as e:  # the fault class is what the test compares
        print(type(e).__name__, flush=True)
