#!/usr/bin/env python3
"""Test helper for internal/xmlrpc: Python's xmlrpc.client as the reference.

Values cross over as "tagged JSON" so that types survive:
{"nil": null} {"bool": b} {"int": "123"} {"double": "repr"} {"string": s}
{"base64": "b64"} {"datetime": "YYYYmmddTHH:MM:SS"} {"array": [...]} {"struct": {...}}

Modes:
  loads           stdin: JSON list of XML bodies; stdout: JSON list of
                  {"method": m, "params": [tagged...]} or {"fault": [code, str]}
                  or {"error": msg}
  dumps-response  stdin: JSON list of tagged values; stdout: JSON list of XML bodies
  dumps-call      stdin: JSON list of [method, [tagged params]]; stdout: JSON list of XML bodies
  bind            stdin: JSON list of {"src": python source, "call": expression naming
                  the function, "args": [...], "kwargs": {...}}; stdout: JSON list of the
                  TypeError texts ("" when the call binds)
"""
import base64
import datetime
import json
import sys
import xmlrpc.client as x


def tag(v):
    if v is None:
        return {"nil": None}
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"double": repr(v)}
    if isinstance(v, str):
        return {"string": v}
    if isinstance(v, (bytes, bytearray)):
        return {"base64": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, x.Binary):
        return {"base64": base64.b64encode(v.data).decode()}
    if isinstance(v, x.DateTime):
        return {"datetime": v.value}
    if isinstance(v, datetime.datetime):
        return {"datetime": v.strftime("%Y%m%dT%H:%M:%S")}
    if isinstance(v, (list, tuple)):
        return {"array": [tag(i) for i in v]}
    if isinstance(v, dict):
        return {"struct": {k: tag(i) for k, i in v.items()}}
    raise TypeError("cannot tag %r" % type(v))


def untag(t):
    (k, v), = t.items()
    if k == "nil":
        return None
    if k == "bool":
        return bool(v)
    if k == "int":
        return int(v)
    if k == "double":
        return float(v)
    if k == "string":
        return v
    if k == "base64":
        return x.Binary(base64.b64decode(v))
    if k == "datetime":
        return x.DateTime(v)
    if k == "array":
        return [untag(i) for i in v]
    if k == "struct":
        return {n: untag(i) for n, i in v.items()}
    raise ValueError(k)


class KojiMarshaller(x.Marshaller):
    """Koji's extension (koji/xmlrpcplus.py): <i8> beyond 32 bits."""
    dispatch = x.Marshaller.dispatch.copy()

    def dump_int(self, value, write):
        if value > x.MAXINT or value < x.MININT:
            write("<value><i8>%d</i8></value>\n" % value)
            return
        write("<value><int>%d</int></value>\n" % value)
    dispatch[int] = dump_int


def kdumps(params, methodname=None, methodresponse=None):
    m = KojiMarshaller("utf-8", allow_none=True)
    data = m.dumps(params)
    if methodname is not None:
        return "<?xml version='1.0'?>\n<methodCall>\n<methodName>%s</methodName>\n%s</methodCall>\n" % (methodname, data)
    return "<?xml version='1.0'?>\n<methodResponse>\n%s</methodResponse>\n" % data


def main():
    mode = sys.argv[1]
    inp = json.load(sys.stdin)
    out = []
    if mode == "loads":
        for body in inp:
            try:
                params, method = x.loads(body.encode("utf-8"), use_builtin_types=True)
                out.append({"method": method, "params": [tag(p) for p in params]})
            except x.Fault as f:
                out.append({"fault": [f.faultCode, f.faultString]})
            except Exception as e:  # noqa
                out.append({"error": "%s: %s" % (type(e).__name__, e)})
    elif mode == "dumps-response":
        for t in inp:
            out.append(kdumps((untag(t),), methodresponse=True))
    elif mode == "dumps-call":
        for method, params in inp:
            out.append(kdumps(tuple(untag(p) for p in params), methodname=method))
    elif mode == "bind":
        for case in inp:
            ns = {}
            exec(case["src"], ns)
            fn = eval(case["call"], ns)
            try:
                fn(*case["args"], **case["kwargs"])
                out.append("")
            except TypeError as e:
                out.append(str(e))
    else:
        raise SystemExit("unknown mode " + mode)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
