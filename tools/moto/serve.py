"""Runs moto in server mode for the test environment.

Usage: serve.py [PORT]

Binds 127.0.0.1 only; with no PORT (or 0) the kernel picks a free one. The first line on stdout is
"moto listening on 127.0.0.1:<port>", which the harness waits for. Exits by itself when the process that started it goes away (even after a
kill -9 of the test runner), so a failed or interrupted run never leaves a server behind.
"""

import os
import sys
import threading
import time

from moto.server import ThreadedMotoServer

import eks_addons
import eks_role_arns
import eks_versions


def exit_when_orphaned(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)
        time.sleep(0.5)


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    threading.Thread(target=exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    # Moto has no EKS managed add-on API and no DescribeClusterVersions; these add the part Switchyard
    # uses (see eks_addons.py and eks_versions.py).
    eks_addons.install()
    eks_versions.install()
    # Only speed: moto's check of role ARNs, with boto3's partitions read once (see eks_role_arns.py).
    eks_role_arns.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound_port = server.get_host_and_port()
    print(f"moto listening on {host}:{bound_port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
