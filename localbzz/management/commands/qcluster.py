"""django-q2's ``qcluster``, made to stop cleanly on SIGTERM to its process group.

honcho (``make run``), systemd and the benchmarks signal the whole group. django-q2 lets every
process of the cluster die of that SIGTERM except the master, whose own stop then waits forever
on the dead sentinel (it blocks in ``Event.set()`` for a waiter that no longer exists). Here:

- the master, on SIGTERM/SIGINT, raises the shared stop flag (``localbzz.queue.stopping``) and
  stops the cluster the normal way (sentinel → pusher → workers → monitor);
- the sentinel, pusher and monitor ignore SIGTERM: the master's stop ends them in order;
- a worker, on SIGTERM, only raises the stop flag: the task it runs finishes what is in flight
  (within ``PUBLISH_SHUTDOWN_GRACE_SECONDS``) and hands the rest back (see
  ``publishing.engine.run_claims``), then the worker takes the master's poison pill and exits.
"""

from __future__ import annotations

import signal

from django_q import cluster as q_cluster
from django_q.management.commands.qcluster import Command as QClusterCommand
from django_q.signals import post_spawn

from localbzz import queue


class _Sentinel(q_cluster.Sentinel):
    def __init__(self, *args, **kwargs) -> None:
        kwargs["start"] = False
        super().__init__(*args, **kwargs)  # sets SIGTERM to the default action (die)
        # The master stops us in order; the pusher and monitor forked from here inherit this.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.start()


class _Cluster(q_cluster.Cluster):
    stopping = False

    def sig_handler(self, signum, frame) -> None:
        queue.request_stop()
        if not self.stopping:  # a second signal (Ctrl-C twice) must not restart the stop
            self.stopping = True
            super().sig_handler(signum, frame)


def _worker_spawned(sender, proc_name, **kwargs) -> None:
    signal.signal(signal.SIGTERM, queue.request_stop)


class Command(QClusterCommand):
    help = "Starts the django-q2 cluster (stops cleanly on SIGTERM to its process or its group)."

    def handle(self, *args, **options) -> None:
        queue.share_stop_flag()
        post_spawn.connect(_worker_spawned, dispatch_uid="localbzz-worker-sigterm")
        q_cluster.Sentinel = _Sentinel  # this process only: the cluster's master
        q_cluster.Cluster = _Cluster
        # django-q2's command builds ``Cluster`` from its own module namespace.
        from django_q.management.commands import qcluster as q_command

        q_command.Cluster = _Cluster
        super().handle(*args, **options)
