<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Store\Model\StoreManagerInterface;

/**
 * Creates the Magento order for one offered Amazon order through Magento's service contracts.
 */
class OrderCreator
{
    public const SHIPPING_METHOD = 'flatrate_flatrate';
    public const PAYMENT_METHOD = 'checkmo';

    public function __construct(
        private readonly CartManagementInterface $cartManagement,
        private readonly CartRepositoryInterface $cartRepository,
        private readonly ProductRepositoryInterface $productRepository,
        private readonly OrderRepositoryInterface $orderRepository,
        private readonly StoreManagerInterface $storeManager
    ) {
    }

    /**
     * @param array<string, mixed> $offer an order from the bridge's /api/v1/orders/offered
     * @return array{increment_id: string, magento_order_id: int}
     * @throws CreationFailed
     */
    public function create(array $offer): array
    {
        $address = $offer['shipping_address'] ?? null;
        if (!is_array($address) || empty($address['addressLine1']) || empty($address['countryCode'])) {
            throw new CreationFailed('address_invalid', 'Amazon gave no usable shipping address for this order.');
        }
        $settings = $offer['settings'] ?? [];
        $store = $this->storeManager->getStore($settings['store_id'] ?? null);
        $cartId = $this->cartManagement->createEmptyCart();
        $quote = $this->cartRepository->get($cartId);
        $quote->setStore($store);
        $quote->setCurrency();
        foreach ($offer['items'] ?? [] as $item) {
            $sku = (string) ($item['magento_sku'] ?? '');
            try {
                $product = $this->productRepository->get($sku, false, $store->getId());
            } catch (NoSuchEntityException) {
                throw new CreationFailed('product_missing', sprintf('Magento has no product with SKU "%s".', $sku));
            }
            if ((int) $product->getStatus() !== 1) {
                throw new CreationFailed('product_disabled', sprintf('Product "%s" is disabled in Magento.', $sku));
            }
            $line = $quote->addProduct($product, (float) $item['qty_ordered']);
            if (is_string($line)) {
                $reason = stripos($line, 'stock') !== false || stripos($line, 'quantity') !== false
                    ? 'out_of_stock' : 'other';
                throw new CreationFailed($reason, sprintf('Product "%s": %s', $sku, $line));
            }
            $line->setCustomPrice((float) $item['price']);
            $line->setOriginalCustomPrice((float) $item['price']);
        }
        $buyer = $offer['buyer'] ?? [];
        $name = preg_split('/\s+/', trim((string) ($address['name'] ?? $buyer['name'] ?? 'Amazon Customer')), 2);
        $addressData = [
            'firstname' => $name[0] ?: 'Amazon',
            'lastname' => $name[1] ?? 'Customer',
            'street' => array_values(array_filter([
                $address['addressLine1'] ?? null, $address['addressLine2'] ?? null, $address['addressLine3'] ?? null,
            ])),
            'city' => (string) ($address['city'] ?? ''),
            'region' => (string) ($address['stateOrRegion'] ?? ''),
            'postcode' => (string) ($address['postalCode'] ?? ''),
            'country_id' => (string) $address['countryCode'],
            'telephone' => (string) ($address['phone'] ?? '0000000000'),
            'email' => (string) ($buyer['email'] ?? ''),
        ];
        $quote->getBillingAddress()->addData($addressData);
        $shipping = $quote->getShippingAddress()->addData($addressData);
        $shipping->setCollectShippingRates(true)->collectShippingRates()->setShippingMethod(self::SHIPPING_METHOD);
        $quote->setCustomerEmail((string) ($buyer['email'] ?? ''));
        $quote->setCustomerIsGuest(true);
        $quote->setCheckoutMethod('guest');
        if (!empty($offer['increment_id'])) {
            $quote->setReservedOrderId((string) $offer['increment_id']);
        }
        $quote->getPayment()->importData(['method' => self::PAYMENT_METHOD]);
        $quote->collectTotals();
        $this->cartRepository->save($quote);
        try {
            $orderId = (int) $this->cartManagement->placeOrder($cartId);
        } catch (\Exception $e) {
            $reason = stripos($e->getMessage(), 'stock') !== false ? 'out_of_stock' : 'other';
            throw new CreationFailed($reason, 'Magento refused the order: ' . $e->getMessage());
        }
        $order = $this->orderRepository->get($orderId);
        $order->setExtOrderId((string) $offer['amazon_order_id']);
        if (!empty($settings['status'])) {
            $order->setStatus((string) $settings['status']);
        }
        $this->orderRepository->save($order);
        return ['increment_id' => (string) $order->getIncrementId(), 'magento_order_id' => $orderId];
    }
}
