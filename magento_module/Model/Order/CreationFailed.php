<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

/**
 * An Amazon order cannot become a Magento order; the reason code tells the merchant what to fix.
 */
class CreationFailed extends \RuntimeException
{
    public const REASONS = [
        'product_missing', 'product_disabled', 'out_of_stock', 'address_invalid', 'store_invalid', 'other',
    ];

    public function __construct(public readonly string $reasonCode, string $message, ?\Throwable $previous = null)
    {
        parent::__construct($message, 0, $previous);
    }
}
