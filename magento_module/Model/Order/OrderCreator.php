<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

use Channel\Amazon\Model\Carrier\Amazon as AmazonCarrier;
use Channel\Amazon\Model\Payment\Amazon as AmazonPayment;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Catalog\Helper\Product as CatalogProductHelper;
use Magento\Customer\Api\CustomerRepositoryInterface;
use Magento\Customer\Api\Data\CustomerInterfaceFactory;
use Magento\Directory\Model\CurrencyFactory;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Quote\Model\Quote;
use Magento\Quote\Model\QuoteFactory;
use Magento\Quote\Model\QuoteManagement;
use Magento\Sales\Model\Order;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Model\Order\Config as OrderConfig;
use Magento\Store\Model\Store;
use Psr\Log\LoggerInterface;

/**
 * Creates the Magento order for one offered Amazon order through Magento's quote and
 * order services, booked as Amazon charged it:
 *
 * - the module's own payment method and carrier (never storefront ones, which the merchant
 *   may disable or price), the shipping amount being Amazon's;
 * - Amazon's item prices as custom prices, no cart rules, Amazon's currency when the store
 *   offers it; a difference in currency or total is written on the order as a comment;
 * - no new-order e-mail (PrepareChannelOrder), guest or customer as the account says;
 * - Amazon-fulfilled orders leave the merchant's stock alone: no salable check, no MSI
 *   reservation (FbaStockUntouched), no legacy stock subtraction.
 *
 * The quote is placed with QuoteManagement::submit(), the way Magento's admin order creation
 * does. Throws whatever Magento throws; the caller maps it to a reason.
 */
class OrderCreator
{
    public function __construct(
        private readonly QuoteFactory $quoteFactory,
        private readonly CartRepositoryInterface $cartRepository,
        private readonly QuoteManagement $quoteManagement,
        private readonly ProductRepositoryInterface $productRepository,
        private readonly CatalogProductHelper $catalogProductHelper,
        private readonly OrderRepositoryInterface $orderRepository,
        private readonly OrderConfig $orderConfig,
        private readonly CustomerRepositoryInterface $customerRepository,
        private readonly CustomerInterfaceFactory $customerFactory,
        private readonly CurrencyFactory $currencyFactory,
        private readonly AddressMapper $addressMapper,
        private readonly PlacementContext $context,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @param array<string, mixed> $offer an order from the bridge's /api/v1/orders/offered
     * @return array{increment_id: string, magento_order_id: int, store_id: int}
     * @throws CreationFailed|\Throwable
     */
    public function create(array $offer, Store $store): array
    {
        $storeCurrency = $store->getData('current_currency');
        try {
            return $this->place($offer, $store);
        } finally {
            $store->setData('current_currency', $storeCurrency); // the store object is shared by the run
        }
    }

    /**
     * @param array<string, mixed> $offer
     * @return array{increment_id: string, magento_order_id: int, store_id: int}
     */
    private function place(array $offer, Store $store): array
    {
        $settings = (array) ($offer['settings'] ?? []);
        $fba = ($offer['fulfilled_by'] ?? 'MERCHANT') === 'AMAZON';
        $address = $this->addressMapper->map(
            is_array($offer['shipping_address'] ?? null) ? $offer['shipping_address'] : null,
            (array) ($offer['buyer'] ?? []),
            $fba
        );
        $notes = [];

        /** @var Quote $quote */
        $quote = $this->quoteFactory->create();
        $quote->setStore($store);
        $quote->setData(PlacementContext::QUOTE_FLAG, true);
        $quote->setCouponCode('');
        $quote->setCustomerNoteNotify(false);
        if ($fba) {
            $quote->setIsSuperMode(true);
            $quote->setInventoryProcessed(true);
        }
        $note = $this->applyCurrency($quote, $store, strtoupper((string) ($offer['currency'] ?? '')));
        if ($note !== null) {
            $notes[] = $note;
        }

        $subtotal = 0.0;
        $this->catalogProductHelper->setSkipSaleableCheck($fba);
        try {
            foreach ((array) ($offer['items'] ?? []) as $item) {
                $subtotal += $this->addItem($quote, (array) $item, (int) $store->getId());
            }
        } finally {
            $this->catalogProductHelper->setSkipSaleableCheck(false);
        }
        if (!$quote->getAllItems()) {
            throw new CreationFailed('product_missing', 'The Amazon order has no item linked to a Magento product.');
        }
        $total = isset($offer['order_total']) ? (float) $offer['order_total'] : null;
        $shippingAmount = $total === null ? 0.0 : max(0.0, round($total - $subtotal, 4));
        $quote->setData(PlacementContext::QUOTE_SHIPPING, $shippingAmount);

        $this->applyCustomer($quote, $store, $settings, $address);
        $quote->getBillingAddress()->addData($address);
        $shipping = $quote->getShippingAddress()->addData($address);
        $shipping->setCollectShippingRates(true);
        $shipping->collectShippingRates();
        $shipping->setShippingMethod(AmazonCarrier::CODE . '_' . AmazonCarrier::METHOD);
        $quote->getPayment()->importData(['method' => AmazonPayment::CODE, 'checks' => []]);
        if (!empty($offer['increment_id'])) {
            $quote->setReservedOrderId((string) $offer['increment_id']);
        }
        $quote->collectTotals();
        $this->cartRepository->save($quote);

        // submit() places this very quote (as admin order creation does): placeOrder() would load it
        // again and lose what is not stored (super mode, inventory_processed, the channel's flags),
        // and would also write the storefront's checkout session.
        $this->context->begin((string) $offer['amazon_order_id'], $fba);
        try {
            /** @var Order|null $order */
            $order = $this->quoteManagement->submit($quote);
        } finally {
            $this->context->end();
        }
        if ($order === null) {
            throw new CreationFailed('other', 'Magento placed no order for the quote.');
        }
        $orderId = (int) $order->getEntityId();
        $created = [
            'increment_id' => (string) $order->getIncrementId(),
            'magento_order_id' => $orderId,
            'store_id' => (int) $order->getStoreId(),
        ];
        try {
            $this->annotate($order, $offer, $settings, $total, $notes);
            $this->orderRepository->save($order);
        } catch (\Throwable $e) {
            // The order exists: it is reported as created, only its comments or status are missing.
            $this->logger->warning('Amazon order created, comments or status not saved', [
                'amazon_order' => (string) $offer['amazon_order_id'], 'error' => $e->getMessage(),
            ]);
        }
        return $created;
    }

    /**
     * @param array<string, mixed> $item
     * @return float the line's amount at Amazon's price
     */
    private function addItem(Quote $quote, array $item, int $storeId): float
    {
        $sku = (string) ($item['magento_sku'] ?? '');
        if ($sku === '') {
            throw new CreationFailed('product_missing', sprintf(
                'Amazon SKU "%s" is not linked to a Magento product.',
                (string) ($item['seller_sku'] ?? '')
            ));
        }
        try {
            $product = $this->productRepository->get($sku, false, $storeId, true);
        } catch (NoSuchEntityException $e) {
            throw new CreationFailed('product_missing', sprintf('Magento has no product with SKU "%s".', $sku), $e);
        }
        if ((int) $product->getStatus() !== 1) {
            throw new CreationFailed('product_disabled', sprintf('Product "%s" is disabled in Magento.', $sku));
        }
        $qty = (float) ($item['qty_ordered'] ?? 1);
        $line = $quote->addProduct($product, $qty);
        if (is_string($line)) {
            throw new CreationFailed('other', sprintf('Product "%s": %s', $sku, $line));
        }
        $price = (float) ($item['price'] ?? 0);
        $line->setCustomPrice($price);
        $line->setOriginalCustomPrice($price);
        $line->setNoDiscount(true);
        $line->getProduct()->setIsSuperMode(true);
        return $price * $qty;
    }

    private function applyCurrency(Quote $quote, Store $store, string $code): ?string
    {
        if ($code === '' || $code === (string) $store->getBaseCurrencyCode()) {
            return null;
        }
        if (!in_array($code, (array) $store->getAvailableCurrencyCodes(true), true)) {
            return sprintf(
                'Amazon charged this order in %s, which store view "%s" does not offer; it is booked in %s.',
                $code,
                (string) $store->getCode(),
                (string) $store->getBaseCurrencyCode()
            );
        }
        $currency = $this->currencyFactory->create()->load($code);
        $store->setData('current_currency', $currency);
        $quote->setForcedCurrency($currency);
        return null;
    }

    /**
     * @param array<string, mixed> $settings
     * @param array<string, mixed> $address
     */
    private function applyCustomer(Quote $quote, Store $store, array $settings, array $address): void
    {
        $email = (string) $address['email'];
        if (($settings['customer'] ?? 'guest') === 'customer' && $email !== '') {
            $websiteId = (int) $store->getWebsiteId();
            try {
                $customer = $this->customerRepository->get($email, $websiteId);
            } catch (NoSuchEntityException) {
                $customer = $this->customerFactory->create();
                $customer->setWebsiteId($websiteId);
                $customer->setStoreId((int) $store->getId());
                $customer->setEmail($email);
                $customer->setFirstname((string) $address['firstname']);
                $customer->setLastname((string) $address['lastname']);
                $customer = $this->customerRepository->save($customer);
            }
            $quote->assignCustomer($customer);
            $quote->setCheckoutMethod('customer');
            return;
        }
        $quote->setCustomerId(null);
        $quote->setCustomerIsGuest(true);
        $quote->setCustomerGroupId(0); // NOT LOGGED IN
        $quote->setCustomerEmail($email);
        $quote->setCustomerFirstname((string) $address['firstname']);
        $quote->setCustomerLastname((string) $address['lastname']);
        $quote->setCheckoutMethod('guest');
    }

    /**
     * @param array<string, mixed> $offer
     * @param array<string, mixed> $settings
     * @param string[] $notes
     */
    private function annotate(Order $order, array $offer, array $settings, ?float $total, array $notes): void
    {
        $amazonId = (string) $offer['amazon_order_id'];
        $notes[] = sprintf('Amazon order %s%s.', $amazonId, ($offer['fulfilled_by'] ?? '') === 'AMAZON'
            ? ', fulfilled by Amazon (the merchant\'s stock was not touched)' : '');
        $currency = strtoupper((string) ($offer['currency'] ?? ''));
        if ($currency !== '' && $currency !== (string) $order->getOrderCurrencyCode()) {
            $notes[] = sprintf('Amazon charged in %s; this order is in %s.', $currency, $order->getOrderCurrencyCode());
        } elseif ($total !== null && abs($total - (float) $order->getGrandTotal()) >= 0.005) {
            $notes[] = sprintf(
                'Amazon charged %.2f %s; Magento computed %.2f (tax or rounding differs).',
                $total,
                $currency,
                (float) $order->getGrandTotal()
            );
        }
        $status = (string) ($settings['status'] ?? '');
        if ($status !== '' && $status !== (string) $order->getStatus()) {
            $allowed = $this->orderConfig->getStateStatuses((string) $order->getState());
            if (array_key_exists($status, (array) $allowed)) {
                $order->setStatus($status);
                $notes[] = sprintf('Status set to "%s" by the Amazon account\'s order settings.', $status);
            } else {
                $notes[] = sprintf(
                    'The Amazon account\'s order status "%s" does not belong to state "%s"; kept "%s".',
                    $status,
                    (string) $order->getState(),
                    (string) $order->getStatus()
                );
            }
        }
        foreach ($notes as $note) {
            $order->addCommentToStatusHistory($note);
        }
    }
}
