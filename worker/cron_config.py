"""``rq cron`` configuration: the tick every minute (run exactly one rq cron)."""

from rq import cron

from channel.jobs import QUEUE
from worker.schedule import tick

cron.register(tick, queue_name=QUEUE, interval=60)
