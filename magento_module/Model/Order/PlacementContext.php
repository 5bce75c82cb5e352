<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

/**
 * What is being placed right now, for the observer and plugins that run inside Magento's
 * order placement: the Amazon order id, whether Amazon fulfils it, the quote flag.
 */
class PlacementContext
{
    /** Quote data key marking a quote built for an Amazon order (payment method and carrier check it). */
    public const QUOTE_FLAG = 'channel_amazon_order';
    /** Quote data key holding the shipping amount Amazon charged. */
    public const QUOTE_SHIPPING = 'channel_amazon_shipping_amount';

    private ?string $amazonOrderId = null;
    private bool $fba = false;

    public function begin(string $amazonOrderId, bool $fba): void
    {
        $this->amazonOrderId = $amazonOrderId;
        $this->fba = $fba;
    }

    public function end(): void
    {
        $this->amazonOrderId = null;
        $this->fba = false;
    }

    public function amazonOrderId(): ?string
    {
        return $this->amazonOrderId;
    }

    /** An Amazon-fulfilled order is being placed: the merchant's stock is not touched. */
    public function isFba(): bool
    {
        return $this->amazonOrderId !== null && $this->fba;
    }
}
