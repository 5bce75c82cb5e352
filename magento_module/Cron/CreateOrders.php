<?php

declare(strict_types=1);

namespace Channel\Amazon\Cron;

use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\Config;
use Channel\Amazon\Model\Order\OfferedOrderProcessor;
use Psr\Log\LoggerInterface;

/**
 * Every five minutes: create Magento orders for the Amazon orders the bridge offers.
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
        if (!$this->config->isOrderCreationEnabled()) {
            return;
        }
        try {
            $this->processor->process();
        } catch (BridgeException $e) {
            $this->logger->error('Amazon channel: order creation skipped: ' . $e->getMessage());
        }
    }
}
