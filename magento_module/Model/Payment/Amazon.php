<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Payment;

use Channel\Amazon\Model\Order\PlacementContext;
use Magento\Payment\Model\Method\AbstractMethod;
use Magento\Quote\Api\Data\CartInterface;
use Magento\Quote\Model\Quote;

/**
 * Offline payment method of Amazon orders: the buyer paid Amazon. Never offered at the
 * storefront or in admin order creation; available only to quotes built for Amazon orders.
 */
class Amazon extends AbstractMethod
{
    public const CODE = 'channel_amazon';

    /** @var string */
    protected $_code = self::CODE;
    /** @var bool */
    protected $_isOffline = true;
    /** @var bool */
    protected $_canUseCheckout = false;
    /** @var bool */
    protected $_canUseInternal = false;
    /** @var bool */
    protected $_canUseForMultishipping = false;

    public function isAvailable(?CartInterface $quote = null)
    {
        if (!$quote instanceof Quote || !$quote->getData(PlacementContext::QUOTE_FLAG)) {
            return false;
        }
        return parent::isAvailable($quote);
    }
}
