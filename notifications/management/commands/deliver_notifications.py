"""Deliver the queued notifications once, or keep doing it (``--loop``, the embedded default's worker)."""

import signal
import threading

from django.core.management.base import BaseCommand

from notifications.delivery import deliver_pending, run_forever


class Command(BaseCommand):
    help = "发送待投递的通知（--loop：持续运行，并定时执行到期检查）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running: poll, deliver, run the due checks")
        parser.add_argument("--interval", type=float, default=None, help="seconds between polls (NOTIFY_POLL_SECONDS)")
        parser.add_argument(
            "--due-checks-every",
            type=float,
            default=None,
            help="seconds between due checks in --loop (DUE_CHECKS_EVERY_SECONDS; 0 = never)",
        )
        parser.add_argument("--limit", type=int, default=50, help="deliveries claimed per batch")

    def handle(self, *args, loop=False, interval=None, due_checks_every=None, limit=50, **options):
        if not loop:
            run = deliver_pending(limit=limit)
            self.stdout.write("已发送 {sent}，待重试 {retrying}，失败 {failed}".format(**run.as_dict()))
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("通知投递进程已启动（Ctrl-C 停止）")
        run_forever(poll_seconds=interval, due_checks_every=due_checks_every, stop=stop)
