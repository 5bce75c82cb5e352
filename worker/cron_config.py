"""``rq cron`` configuration: the ticks every minute (run exactly one rq cron).

``tick`` queues listing cycles, ``orders_tick`` orders runs; each job is due on its
own interval, so the two are registered apart and neither holds the other back.
``purge_buyer_data`` runs once a day (and at start) for all accounts, and so does
``purge_notifications`` (applied notification ids past Amazon's redelivery window) and
``purge_product_feed`` (changed products every account has read).
``reprice_tick`` queues each account's repricing run when due, apart from its cycle."""

from rq import cron

from channel.jobs import QUEUE
from worker.jobs import purge_buyer_data, purge_notifications, purge_product_feed
from worker.repricing import reprice_tick
from worker.schedule import orders_tick, tick

#: Seconds between two buyer data retention runs.
BUYER_DATA_INTERVAL = 24 * 3600

cron.register(tick, queue_name=QUEUE, interval=60)
cron.register(orders_tick, queue_name=QUEUE, interval=60)
cron.register(purge_buyer_data, queue_name=QUEUE, interval=BUYER_DATA_INTERVAL)
cron.register(purge_notifications, queue_name=QUEUE, interval=BUYER_DATA_INTERVAL)
cron.register(purge_product_feed, queue_name=QUEUE, interval=BUYER_DATA_INTERVAL)
cron.register(reprice_tick, queue_name=QUEUE, interval=60)
