"""The step protocol of the pyVmomi scripts driven by test/vcenter/pyvmomi-run.ts.

A script prints one JSON line per step; `need` also waits for the test to answer on stdin after
it has changed the lab (outside SOAP), so the script's next call sees that change.
"""
import json
import sys


def out(step, **kw):
    kw["step"] = step
    print(json.dumps(kw, default=str), flush=True)


def need(step, **kw):
    out(step, **kw)
    sys.stdin.readline()
