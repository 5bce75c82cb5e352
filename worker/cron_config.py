"""``rq cron`` configuration: the ticks every minute (run exactly one rq cron).

``tick`` queues listing cycles, ``orders_tick`` orders runs; each job is due on its
own interval, so the two are registered apart and neither holds the other back."""

from rq import cron

from channel.jobs import QUEUE
from worker.schedule import orders_tick, tick

cron.register(tick, queue_name=QUEUE, interval=60)
cron.register(orders_tick, queue_name=QUEUE, interval=60)
