<?php

declare(strict_types=1);

namespace Channel\Amazon\Observer;

use Channel\Amazon\Model\Order\PlacementContext;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;

/**
 * sales_model_service_quote_submit_before: the order Magento is about to save for an Amazon
 * order carries the Amazon order id (saved with it, so a retry finds it) and sends no
 * new-order e-mail to the buyer (Amazon mails its buyers; their addresses are Amazon's relay).
 */
class PrepareChannelOrder implements ObserverInterface
{
    public function __construct(private readonly PlacementContext $context)
    {
    }

    public function execute(Observer $observer): void
    {
        $amazonOrderId = $this->context->amazonOrderId();
        /** @var \Magento\Sales\Model\Order|null $order */
        $order = $observer->getEvent()->getData('order');
        if ($amazonOrderId === null || $order === null) {
            return;
        }
        $order->setExtOrderId($amazonOrderId);
        $order->setCanSendNewEmailFlag(false);
        $order->setSendEmail(false);
    }
}
