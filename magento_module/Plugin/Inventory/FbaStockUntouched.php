<?php

declare(strict_types=1);

namespace Channel\Amazon\Plugin\Inventory;

use Channel\Amazon\Model\Order\PlacementContext;

/**
 * Amazon ships FBA orders from its own warehouses: while one is placed, MSI neither checks
 * the merchant's salable quantity (CheckItemsQuantity::execute) nor places a reservation
 * (PlaceReservationsForSalesEventInterface::execute), so the merchant's stock is untouched.
 * Both methods return nothing; any other order proceeds as usual.
 */
class FbaStockUntouched
{
    public function __construct(private readonly PlacementContext $context)
    {
    }

    /**
     * @param object $subject
     * @param callable $proceed
     * @param mixed ...$args
     * @return mixed
     */
    public function aroundExecute(object $subject, callable $proceed, ...$args)
    {
        if ($this->context->isFba()) {
            return null;
        }
        return $proceed(...$args);
    }
}
