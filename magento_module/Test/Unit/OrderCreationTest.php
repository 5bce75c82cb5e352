<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Cron\CreateOrders;
use Channel\Amazon\Model\Bridge\TransportInterface;
use Channel\Amazon\Model\Order\OfferedOrderProcessor;
use Channel\Amazon\Test\Magento\Instance;
use Channel\Amazon\Test\Magento\OrderBridge;
use Magento\Framework\Exception\LocalizedException;
use PHPUnit\Framework\TestCase;

/**
 * Offered Amazon orders become Magento orders through the stubs that behave like Magento
 * 2.4.8 (Test/Stubs/commerce.php): one order's failure is reported and the next goes on,
 * the bridge's reservation is claimed before MSI checks and reserves, FBA leaves stock alone,
 * a lost result never makes a second order.
 */
class OrderCreationTest extends TestCase
{
    private Instance $magento;
    private OrderBridge $bridge;

    protected function setUp(): void
    {
        $this->magento = new Instance(['channel_amazon/bridge/url' => 'http://bridge.test']);
        $this->magento->config->store('channel_amazon/bridge/secret', 'shared-secret');
        $this->bridge = new OrderBridge($this->magento);
        $this->magento->share(TransportInterface::class, $this->bridge);
    }

    private function offer(int $id, string $sku, int $qty, array $over = []): array
    {
        return array_replace_recursive([
            'order_id' => $id, 'amazon_order_id' => sprintf('111-%07d-0000001', $id), 'fulfilled_by' => 'MERCHANT',
            'currency' => 'USD', 'order_total' => round(19.99 * $qty + 4.99, 2), 'website_id' => 1,
            'buyer' => ['name' => 'Jane Buyer', 'email' => "buyer$id@marketplace.amazon.com"],
            'shipping_address' => ['name' => 'Jane Buyer', 'addressLine1' => '1 Main Street', 'city' => 'Seattle',
                'stateOrRegion' => 'WA', 'postalCode' => '98101', 'countryCode' => 'US', 'phone' => '+1 206 555 0100'],
            'items' => [['magento_sku' => $sku, 'seller_sku' => $sku, 'qty_ordered' => $qty, 'price' => 19.99]],
            'settings' => ['store_id' => null, 'customer' => 'guest', 'number_source' => 'magento', 'status' => 'pending'],
            'increment_id' => null,
        ], $over);
    }

    private function processOffers(): array
    {
        return $this->magento->get(OfferedOrderProcessor::class)->process();
    }

    /** @return \Magento\Sales\Model\Order[] */
    private function ordersFor(string $amazonOrderId): array
    {
        return array_values(array_filter(
            $this->magento->orders,
            static fn ($o) => $o->getExtOrderId() === $amazonOrderId
        ));
    }

    public function testEachFailureIsReportedWithItsReasonAndTheNextOrderIsCreated(): void
    {
        $this->magento->addProduct('SOLD-OUT', 0);
        $this->magento->addProduct('OFF', 5, 2);
        $this->magento->addProduct('GOOD', 5);
        $this->bridge->offer($this->offer(1, 'NOT-IN-MAGENTO', 1));
        $this->bridge->offer($this->offer(2, 'OFF', 1));
        $this->bridge->offer($this->offer(3, 'SOLD-OUT', 1));
        $this->bridge->offer($this->offer(4, 'GOOD', 2, ['shipping_address' => ['city' => '']]));
        $this->bridge->offer($this->offer(5, 'GOOD', 2));

        $this->assertSame(['created' => 1, 'existing' => 0, 'failed' => 4, 'skipped' => 0], $this->processOffers());
        $reasons = array_map(static fn ($o) => $o['result']['reason_code'] ?? 'created', $this->bridge->orders);
        $this->assertSame([1 => 'product_missing', 2 => 'product_disabled', 3 => 'out_of_stock',
            4 => 'address_invalid', 5 => 'created'], $reasons);
        $this->assertStringContainsString('has no city', $this->bridge->orders[4]['result']['message']);
        $this->assertCount(1, $this->magento->orders);
        $this->assertCount(1, $this->ordersFor('111-0000005-0000001'));
        $this->assertSame(1.0, $this->magento->salableQty('GOOD'), '5 less 2 held again for the failed order 4, 2 placed');
    }

    public function testTheLastUnitIsOrderedOnceWithMsi(): void
    {
        $this->magento->addProduct('LAST', 1);
        $this->bridge->offer($this->offer(1, 'LAST', 1));
        $this->assertSame(0.0, $this->magento->salableQty('LAST'), 'the channel holds the last unit');

        $this->assertSame(1, $this->processOffers()['created']);
        $this->assertSame('created', $this->bridge->orders[1]['magento_status']);
        $this->assertSame(0.0, $this->magento->salableQty('LAST'), 'held once: by Magento now, not twice');
        $placed = array_filter($this->magento->reservations, static fn ($r) => str_contains($r['metadata'], '"order"'));
        $this->assertSame([-1.0], array_column(array_values($placed), 'quantity'));
        $claim = array_search(['POST', '/api/v1/orders/1/claim', []], $this->bridge->calls, true);
        $result = array_search('/api/v1/orders/1/magento-result', array_column($this->bridge->calls, 1), true);
        $this->assertIsInt($claim);
        $this->assertGreaterThan($claim, $result, 'claimed before placing, reported after');
    }

    public function testWithoutTheClaimMsiWouldRefuseTheLastUnit(): void
    {
        $this->magento->addProduct('LAST', 1);
        $this->bridge->offer($this->offer(1, 'LAST', 1));
        $this->expectException(LocalizedException::class);
        $this->magento->checkItemsQuantity->execute(['LAST' => 1.0], 1);
    }

    public function testAmazonFulfilledOrderLeavesTheMerchantsStockAlone(): void
    {
        $this->magento->addProduct('FBA-ONLY', 0);
        $this->bridge->offer($this->offer(1, 'FBA-ONLY', 2, ['fulfilled_by' => 'AMAZON']));

        $this->assertSame(1, $this->processOffers()['created']);
        $this->assertSame([], $this->magento->reservations, 'no MSI reservation, no salable check');
        $this->assertSame(0.0, $this->magento->salableQty('FBA-ONLY'));
        $this->assertFalse($this->magento->catalogHelper->getSkipSaleableCheck(), 'the flag does not outlive the order');
        $order = $this->ordersFor('111-0000001-0000001')[0];
        $this->assertStringContainsString('fulfilled by Amazon', implode(' ', $order->history));
    }

    public function testARunAfterALostResultReportsTheOrderInsteadOfPlacingItAgain(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $this->bridge->offer($this->offer(1, 'GOOD', 2));
        $this->bridge->failOnce = ['/api/v1/orders/1/magento-result'];

        $this->assertSame(1, $this->processOffers()['created']);
        $this->assertSame('creating', $this->bridge->orders[1]['magento_status'], 'the result was lost');
        $this->assertSame(['created' => 0, 'existing' => 1, 'failed' => 0, 'skipped' => 0], $this->processOffers());

        $orders = $this->ordersFor('111-0000001-0000001');
        $this->assertCount(1, $orders);
        $this->assertSame('created', $this->bridge->orders[1]['magento_status']);
        $this->assertSame((int) $orders[0]->getEntityId(), $this->bridge->orders[1]['result']['magento_order_id']);
        $this->assertSame(1, $this->bridge->orders[1]['result']['store_id']);
        $this->assertSame(3.0, $this->magento->salableQty('GOOD'));
        $claims = array_filter($this->bridge->calls, static fn ($c) => str_ends_with($c[1], '/claim'));
        $this->assertCount(1, $claims);
    }

    public function testAFailureAfterMagentoSavedTheOrderIsNotReportedAsAFailure(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $this->bridge->offer($this->offer(1, 'GOOD', 2));
        $this->bridge->offer($this->offer(2, 'GOOD', 1));
        $this->magento->beforeOrderSave = static function ($order): void {
            if ($order->getEntityId() && $order->getExtOrderId() === '111-0000001-0000001') {
                throw new \RuntimeException('deadlock while saving the status history');
            }
        };
        $this->assertSame(2, $this->processOffers()['created']);
        $this->assertSame('created', $this->bridge->orders[1]['magento_status']);
        $this->assertCount(1, $this->ordersFor('111-0000001-0000001'));
        $this->assertSame(2.0, $this->magento->salableQty('GOOD'), 'held once per order: by Magento');
        $this->assertSame('warning', $this->magento->logger->records[0][0]);

        // submit() itself throws after the order was saved (an observer of the submit success event)
        $this->magento->beforeOrderSave = null;
        $this->magento->failingEvent = 'sales_model_service_quote_submit_success';
        $this->bridge->offer($this->offer(3, 'GOOD', 1));
        $this->assertSame(1, $this->processOffers()['created']);
        $this->assertSame('created', $this->bridge->orders[3]['magento_status']);
        $this->assertCount(1, $this->ordersFor('111-0000003-0000001'));
        $this->assertSame(1.0, $this->magento->salableQty('GOOD'));
    }

    public function testCustomerModeAssignsOneCustomerAccountPerBuyer(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $settings = ['settings' => ['customer' => 'customer']];
        $email = ['buyer' => ['email' => 'same@marketplace.amazon.com']];
        $this->bridge->offer($this->offer(1, 'GOOD', 1, $settings + $email));
        $this->bridge->offer($this->offer(2, 'GOOD', 1, $settings + $email));
        $this->bridge->offer($this->offer(3, 'GOOD', 1));

        $this->assertSame(3, $this->processOffers()['created']);
        $this->assertCount(1, $this->magento->customers);
        $customerId = $this->magento->customers[0]->getId();
        $this->assertSame($customerId, $this->ordersFor('111-0000001-0000001')[0]->getData('customer_id'));
        $this->assertSame($customerId, $this->ordersFor('111-0000002-0000001')[0]->getData('customer_id'));
        $this->assertFalse($this->ordersFor('111-0000002-0000001')[0]->getData('customer_is_guest'));
        $guest = $this->ordersFor('111-0000003-0000001')[0];
        $this->assertTrue($guest->getData('customer_is_guest'));
        $this->assertNull($guest->getData('customer_id'));
        $this->assertSame('buyer3@marketplace.amazon.com', $guest->getData('customer_email'));
    }

    public function testAForeignCurrencyIsBookedAsAmazonChargedOrFlagged(): void
    {
        $this->magento->addStore(2, 'uk', 'EUR', ['EUR', 'GBP']);
        $this->magento->addProduct('GOOD', 5);
        $uk = ['settings' => ['store_id' => 2]];
        $this->bridge->offer($this->offer(1, 'GOOD', 1, $uk + ['currency' => 'GBP', 'order_total' => 24.98]));
        $this->bridge->offer($this->offer(2, 'GOOD', 1, $uk + ['currency' => 'JPY', 'order_total' => 24.98]));

        $this->assertSame(2, $this->processOffers()['created']);
        $gbp = $this->ordersFor('111-0000001-0000001')[0];
        $this->assertSame('GBP', $gbp->getOrderCurrencyCode());
        $this->assertSame(2, (int) $gbp->getStoreId());
        $this->assertEqualsWithDelta(24.98, (float) $gbp->getGrandTotal(), 0.001, 'Amazon\'s total, shipping included');
        $this->assertSame([], array_filter($gbp->history, static fn ($h) => str_contains($h, 'charged')));
        $jpy = $this->ordersFor('111-0000002-0000001')[0];
        $this->assertSame('EUR', $jpy->getOrderCurrencyCode());
        $this->assertStringContainsString('Amazon charged this order in JPY', implode(' ', $jpy->history));
    }

    public function testStorefrontPaymentAndShippingMayBeDisabled(): void
    {
        $this->magento->config->store('payment/checkmo/active', '0');
        $this->magento->config->store('carriers/flatrate/active', '0');
        $this->magento->addProduct('GOOD', 5);
        $this->bridge->offer($this->offer(1, 'GOOD', 2));

        $this->assertSame(1, $this->processOffers()['created']);
        $order = $this->ordersFor('111-0000001-0000001')[0];
        $this->assertSame('channel_amazon', $order->getData('payment_method'));
        $this->assertSame('channelamazon_amazon', $order->getData('shipping_method'));
        $this->assertEqualsWithDelta(4.99, (float) $order->getData('shipping_amount'), 0.001);
        $this->assertEqualsWithDelta(44.97, (float) $order->getGrandTotal(), 0.001);
        $this->assertSame([], $this->magento->emailsSent, 'no new-order e-mail to the buyer');
        $this->assertFalse($order->getCanSendNewEmailFlag());
        $this->assertFalse($order->getData('send_email'));
        $this->assertSame('pending', $order->getStatus());
    }

    public function testAStorefrontOrderPlacedThroughTheCheckoutSendsTheNewOrderEmail(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $quote = new \Magento\Quote\Model\Quote($this->magento);
        $quote->setStore($this->magento->stores[1]);
        $quote->addProduct(new \Magento\Catalog\Model\Product($this->magento, $this->magento->products['GOOD']), 1);
        $address = ['firstname' => 'A', 'lastname' => 'B', 'street' => ['1 Main St'], 'city' => 'Seattle',
            'telephone' => '1', 'postcode' => '98101', 'country_id' => 'US', 'email' => 'a@example.com'];
        $quote->getBillingAddress()->addData($address);
        $quote->getShippingAddress()->addData($address)->setCollectShippingRates(true)->collectShippingRates()
            ->setShippingMethod('flatrate_flatrate');
        $quote->getPayment()->importData(['method' => 'checkmo']);
        $quote->setCheckoutMethod('guest');
        $this->magento->cartRepository->save($quote);
        $orderId = $this->magento->get(\Magento\Quote\Api\CartManagementInterface::class)->placeOrder($quote->getId());
        $this->assertSame([$this->magento->orders[$orderId]->getIncrementId()], $this->magento->emailsSent);
        $this->assertEqualsWithDelta(
            15.0,
            (float) $this->magento->orders[$orderId]->getGrandTotal(),
            0.001,
            '10.00 and flatrate 5.00 per item'
        );
    }

    public function testTheChannelsPaymentMethodIsNotOfferedAtCheckout(): void
    {
        $quote = new \Magento\Quote\Model\Quote($this->magento);
        $quote->setStore($this->magento->stores[1]);
        try {
            $quote->getPayment()->importData(['method' => 'channel_amazon']);
            $this->fail('a storefront quote cannot use the Amazon payment method');
        } catch (LocalizedException $e) {
            $this->assertSame('The requested Payment Method is not available.', $e->getMessage());
        }
        $this->magento->config->store('payment/checkmo/active', '0');
        $this->expectException(LocalizedException::class);
        $quote->getPayment()->importData(['method' => 'checkmo']);
    }

    public function testStatusIsCheckedAgainstTheOrderState(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $this->bridge->offer($this->offer(1, 'GOOD', 1, ['settings' => ['status' => 'processing']]));
        $this->processOffers();
        $order = $this->ordersFor('111-0000001-0000001')[0];
        $this->assertSame('pending', $order->getStatus());
        $this->assertStringContainsString('"processing" does not belong to state "new"', implode(' ', $order->history));
    }

    public function testAddressIsNormalised(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $this->bridge->offer($this->offer(1, 'GOOD', 1, ['shipping_address' => ['addressLine1' => '',
            'addressLine2' => 'Apt 4, 1 Main Street', 'stateOrRegion' => 'Washington', 'phone' => '']]));
        $this->assertSame(1, $this->processOffers()['created']);
        $quote = array_values($this->magento->quotes)[0];
        $address = $quote->getShippingAddress();
        $this->assertSame(['Apt 4, 1 Main Street'], $address->getData('street'));
        $this->assertSame(62, $address->getData('region_id'));
        $this->assertSame('0000000000', $address->getData('telephone'));
    }

    public function testAnAmazonFulfilledOrderWithoutStreetIsCreatedAndAMerchantOneIsNot(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $noStreet = ['shipping_address' => ['addressLine1' => '', 'name' => '', 'phone' => '']];
        $this->bridge->offer($this->offer(1, 'GOOD', 1, ['fulfilled_by' => 'AMAZON'] + $noStreet));
        $this->bridge->offer($this->offer(2, 'GOOD', 1, $noStreet));
        $result = $this->processOffers();
        $this->assertSame(1, $result['created']);
        $quote = array_values($this->magento->quotes)[0];
        $this->assertSame(['Fulfilled by Amazon'], $quote->getShippingAddress()->getData('street'));
        $this->assertSame('address_invalid', $this->bridge->orders[2]['result']['reason_code'] ?? null);
    }

    public function testAmazonOrderNumberThatIsTakenGetsMagentosNext(): void
    {
        $this->magento->addProduct('GOOD', 5);
        $taken = new \Magento\Sales\Model\Order(['increment_id' => '111-0000001-0000001', 'store_id' => 1]);
        $this->magento->orderRepository->save($taken);
        $this->bridge->offer($this->offer(1, 'GOOD', 1, ['increment_id' => '111-0000001-0000001',
            'settings' => ['number_source' => 'amazon']]));
        $this->processOffers();
        $this->assertSame('000000001', $this->bridge->orders[1]['result']['increment_id']);
    }

    public function testCronWaitsForTheBridgeSettings(): void
    {
        $this->magento->config->store('channel_amazon/bridge/secret', null);
        $this->magento->addProduct('GOOD', 5);
        $this->bridge->offer($this->offer(1, 'GOOD', 1));
        $this->magento->get(CreateOrders::class)->execute();
        $this->assertSame([], $this->bridge->calls);

        $this->magento->config->store('channel_amazon/bridge/secret', 'shared-secret');
        $this->magento->get(CreateOrders::class)->execute();
        $this->assertSame('created', $this->bridge->orders[1]['magento_status']);
    }
}
