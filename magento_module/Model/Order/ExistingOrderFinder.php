<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Sales\Api\OrderRepositoryInterface;

/**
 * The Magento order already made for an Amazon order: by ext_order_id (the Amazon order id,
 * saved with the order) within the store, so a run that lost its result never places it twice.
 */
class ExistingOrderFinder
{
    public function __construct(
        private readonly OrderRepositoryInterface $orderRepository,
        private readonly SearchCriteriaBuilder $searchCriteriaBuilder
    ) {
    }

    public function find(string $amazonOrderId, int $storeId): ?OrderInterface
    {
        $criteria = $this->searchCriteriaBuilder
            ->addFilter('ext_order_id', $amazonOrderId)
            ->addFilter('store_id', $storeId)
            ->setPageSize(1)
            ->create();
        foreach ($this->orderRepository->getList($criteria)->getItems() as $order) {
            return $order;
        }
        return null;
    }
}
