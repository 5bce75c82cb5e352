<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;

/**
 * The reason code the bridge knows (channel/orders.py REASONS) for anything order creation threw.
 */
class FailureReason
{
    private const STOCK_WORDS = ['stock', 'quantity', 'qty', 'salable', 'saleable', 'not available'];
    private const ADDRESS_WORDS = ['address', 'region', 'postcode', 'zip', 'telephone', 'street', 'city', 'country'];

    public function code(\Throwable $error): string
    {
        if ($error instanceof CreationFailed) {
            return $error->reasonCode;
        }
        if ($error instanceof NoSuchEntityException) {
            return 'product_missing';
        }
        $message = strtolower($error->getMessage());
        if ($error instanceof LocalizedException) {
            foreach (self::STOCK_WORDS as $word) {
                if (str_contains($message, $word)) {
                    return 'out_of_stock';
                }
            }
            foreach (self::ADDRESS_WORDS as $word) {
                if (str_contains($message, $word)) {
                    return 'address_invalid';
                }
            }
        }
        return 'other';
    }
}
