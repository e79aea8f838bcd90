#!/usr/bin/env python3
"""The peer of the upload benchmark: Koji's ClientSession.fastUpload loop
(koji/__init__.py, 1.35) with python-requests, zlib.adler32 and
xmlrpc.client, against the same loopback sink as the Go client.

usage: upload_peer.py SERVER_URL FILE BLOCKSIZE -> prints seconds taken
"""
import sys
import time
import zlib
import xmlrpc.client

import requests


def main():
    server, path, blocksize = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = requests.Session()
    headers = {"User-Agent": "koji/1", "Content-Type": "text/xml"}
    body = xmlrpc.client.dumps(("u", "p"), "login", allow_none=True)
    r = s.post(server, data=body, headers=headers)
    r.raise_for_status()
    sinfo = xmlrpc.client.loads(r.content)[0][0]
    callnum = 0
    start = time.time()
    with open(path, "rb") as fo:
        ofs = 0
        while True:
            chunk = fo.read(blocksize)
            if not chunk and ofs:
                break
            h = {
                "User-Agent": "koji/1",
                "Content-Type": "application/octet-stream",
                "Koji-Session-Id": str(sinfo["session-id"]),
                "Koji-Session-Key": sinfo["session-key"],
                "Koji-Session-Callnum": str(callnum),
            }
            callnum += 1
            params = {"filename": "peer.bin", "filepath": "cli-build/peer",
                      "fileverify": "adler32", "offset": str(ofs), "overwrite": "1"}
            r = s.post(server, params=params, data=chunk, headers=h)
            r.raise_for_status()
            result = xmlrpc.client.loads(r.content)[0][0]
            digest = "%08x" % (zlib.adler32(chunk) & 0xFFFFFFFF)
            if result["size"] != len(chunk) or result["hexdigest"] != digest:
                raise SystemExit("bad chunk answer %r" % (result,))
            ofs += len(chunk)
            if len(chunk) < blocksize:
                break
    print("%.6f" % (time.time() - start))


if __name__ == "__main__":
    main()
