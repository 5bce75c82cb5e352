<?php

declare(strict_types=1);

namespace Channel\Amazon\Cron;

use Channel\Amazon\Model\Config;
use Channel\Amazon\Model\Order\OfferedOrderProcessor;
use Psr\Log\LoggerInterface;

/**
 * Every five minutes (cron group channel_amazon): create Magento orders for the Amazon orders
 * the bridge offers. Does nothing until the bridge URL and secret are set; never throws, so
 * one bad run does not end in Magento's cron schedule as an error loop.
 */
class CreateOrders
{
    public function __construct(
        private readonly Config $config,
        private readonly OfferedOrderProcessor $processor,
        private readonly LoggerInterface $logger
    ) {
    }

    public function execute(): void
    {
        if (!$this->config->isOrderCreationEnabled() || !$this->config->isConfigured()) {
            return;
        }
        try {
            $counts = $this->processor->process();
            if (array_sum($counts) > 0) {
                $this->logger->info('Amazon channel: orders processed', $counts);
            }
        } catch (\Throwable $e) {
            $this->logger->error('Amazon channel: order creation stopped: ' . $e->getMessage());
        }
    }
}
