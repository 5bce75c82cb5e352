<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Model\Order\CreationFailed;
use Channel\Amazon\Model\Order\OrderCreator;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Store\Model\StoreManagerInterface;
use PHPUnit\Framework\TestCase;

/**
 * An offered Amazon order becomes the calls Magento's service contracts expect.
 */
class OrderCreatorTest extends TestCase
{
    private function offer(array $over = []): array
    {
        return array_replace([
            'order_id' => 7, 'amazon_order_id' => '111-0000001-0000001',
            'buyer' => ['name' => 'Jane Buyer', 'email' => 'jane@marketplace.amazon.com'],
            'shipping_address' => ['name' => 'Jane Buyer', 'addressLine1' => '1 Main Street', 'city' => 'Seattle',
                'stateOrRegion' => 'WA', 'postalCode' => '98101', 'countryCode' => 'US'],
            'items' => [['magento_sku' => 'MG-0000001', 'qty_ordered' => 2, 'price' => 19.99]],
            'settings' => ['store_id' => 1, 'customer' => 'guest', 'number_source' => 'amazon', 'status' => 'pending'],
            'increment_id' => '111-0000001-0000001',
        ], $over);
    }

    /** A quote double that records what the creator does to it. */
    private function quote(): object
    {
        return new class {
            public array $calls = [];
            public array $lines = [];
            public object $billing;
            public object $shipping;
            public object $payment;

            public function __construct()
            {
                $recorder = fn (string $name) => new class ($this, $name) {
                    public array $data = [];
                    public function __construct(private object $quote, private string $name)
                    {
                    }

                    public function __call($method, $args)
                    {
                        $this->quote->calls[] = [$this->name . '.' . $method, $args];
                        if ($method === 'addData') {
                            $this->data = $args[0];
                        }
                        return $this;
                    }
                };
                $this->billing = $recorder('billing');
                $this->shipping = $recorder('shipping');
                $this->payment = $recorder('payment');
            }

            public function addProduct($product, $qty)
            {
                $line = new class {
                    public ?float $price = null;
                    public function setCustomPrice($p)
                    {
                        $this->price = $p;
                        return $this;
                    }

                    public function setOriginalCustomPrice($p)
                    {
                        return $this;
                    }
                };
                $this->lines[] = [$product->sku, $qty, $line];
                return $line;
            }

            public function getBillingAddress()
            {
                return $this->billing;
            }

            public function getShippingAddress()
            {
                return $this->shipping;
            }

            public function getPayment()
            {
                return $this->payment;
            }

            public function __call($method, $args)
            {
                $this->calls[] = [$method, $args];
                return $this;
            }
        };
    }

    private function creator(object $quote, ?ProductRepositoryInterface $products = null): array
    {
        $carts = $this->createMock(CartManagementInterface::class);
        $carts->method('createEmptyCart')->willReturn(42);
        $carts->method('placeOrder')->with(42)->willReturn(501);
        $repo = $this->createMock(CartRepositoryInterface::class);
        $repo->method('get')->with(42)->willReturn($quote);
        $order = new class {
            public ?string $ext = null;
            public ?string $status = null;
            public function setExtOrderId($id)
            {
                $this->ext = $id;
            }

            public function setStatus($s)
            {
                $this->status = $s;
            }

            public function getIncrementId()
            {
                return '111-0000001-0000001';
            }
        };
        $orders = $this->createMock(OrderRepositoryInterface::class);
        $orders->method('get')->with(501)->willReturn($order);
        $store = new class {
            public function getId()
            {
                return 1;
            }
        };
        $stores = $this->createMock(StoreManagerInterface::class);
        $stores->method('getStore')->with(1)->willReturn($store);
        if ($products === null) {
            $products = $this->createMock(ProductRepositoryInterface::class);
            $products->method('get')->willReturnCallback(static fn ($sku) => new class ($sku) {
                public function __construct(public string $sku)
                {
                }

                public function getStatus()
                {
                    return 1;
                }
            });
        }
        return [new OrderCreator($carts, $repo, $products, $orders, $stores), $order];
    }

    public function testOfferMapsToQuoteOrderAndAmazonReference(): void
    {
        $quote = $this->quote();
        [$creator, $order] = $this->creator($quote);
        $result = $creator->create($this->offer());
        $this->assertSame(['increment_id' => '111-0000001-0000001', 'magento_order_id' => 501], $result);
        $this->assertSame('MG-0000001', $quote->lines[0][0]);
        $this->assertSame(2.0, $quote->lines[0][1]);
        $this->assertSame(19.99, $quote->lines[0][2]->price);
        $this->assertSame('Seattle', $quote->shipping->data['city']);
        $this->assertSame(['1 Main Street'], $quote->shipping->data['street']);
        $this->assertContains(['setReservedOrderId', ['111-0000001-0000001']], $quote->calls);
        $this->assertContains(['setCustomerIsGuest', [true]], $quote->calls);
        $this->assertSame('111-0000001-0000001', $order->ext);
    }

    public function testMissingProductAndBadAddressCarryTheirReason(): void
    {
        $products = $this->createMock(ProductRepositoryInterface::class);
        $products->method('get')->willThrowException(new NoSuchEntityException('no'));
        [$creator] = $this->creator($this->quote(), $products);
        try {
            $creator->create($this->offer());
            $this->fail('a missing product must fail');
        } catch (CreationFailed $e) {
            $this->assertSame('product_missing', $e->reasonCode);
        }
        [$creator] = $this->creator($this->quote());
        try {
            $creator->create($this->offer(['shipping_address' => null]));
            $this->fail('a missing address must fail');
        } catch (CreationFailed $e) {
            $this->assertSame('address_invalid', $e->reasonCode);
        }
    }
}
