<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento;

use Magento\Framework\App\Config;
use Magento\Framework\Encryption\Encryptor;
use Magento\Framework\Event\Event;
use Magento\Framework\Event\Observer;

/**
 * A small Magento store for tests: one website, store views, products with MSI source
 * quantities and reservations, orders, customers and the e-mails sent, plus what Magento's
 * object manager does for the module: constructor injection (shared instances), the plugins
 * of the module's etc/di.xml around the calls they name, and the observers of its
 * etc/events.xml. The Magento classes themselves are the stubs in Test/Stubs.
 */
class Instance
{
    public const MODULE = __DIR__ . '/../..';

    public Config $config;
    public Encryptor $encryptor;
    /** @var array<int, \Magento\Store\Model\Store> */
    public array $stores = [];
    /** @var array<int, \Magento\Store\Model\Website> */
    public array $websites = [];
    /** @var array<int, \Magento\Store\Model\Group> */
    public array $groups = [];
    /** @var array<int, array<string, mixed>> */
    public array $regions = [
        ['region_id' => 12, 'country_id' => 'US', 'code' => 'CA', 'default_name' => 'California'],
        ['region_id' => 62, 'country_id' => 'US', 'code' => 'WA', 'default_name' => 'Washington'],
        ['region_id' => 81, 'country_id' => 'DE', 'code' => 'BER', 'default_name' => 'Berlin'],
    ];
    /** @var array<string, array<string, mixed>> sku => product data, with `source_qty` */
    public array $products = [];
    /** @var array<int, array{stock_id: int, sku: string, quantity: float, metadata: string}> */
    public array $reservations = [];
    /** @var array<int, \Magento\Sales\Model\Order> */
    public array $orders = [];
    /** @var array<int, \Magento\Quote\Model\Quote> */
    public array $quotes = [];
    /** @var array<int, \Magento\Customer\Model\Data\Customer> */
    public array $customers = [];
    /** @var string[] increment ids of the orders a new-order e-mail went out for */
    public array $emailsSent = [];
    public int $sequence = 0;
    /** @var (\Closure(\Magento\Sales\Model\Order): void)|null called before each order save, to make one fail */
    public ?\Closure $beforeOrderSave = null;
    /** An event whose dispatch throws (an observer failing), to fail a placement after the order was saved. */
    public ?string $failingEvent = null;

    public \Magento\Catalog\Helper\Product $catalogHelper;
    public \Magento\Quote\Model\QuoteRepository $cartRepository;
    public \Magento\Sales\Model\OrderRepository $orderRepository;
    public \Magento\Sales\Model\OrderManagement $orderManagement;
    public \Magento\InventorySales\Model\CheckItemsQuantity $checkItemsQuantity;
    public \Magento\InventorySales\Model\PlaceReservationsForSalesEvent $placeReservations;
    public Instance $events;
    public TestLogger $logger;

    /** @var array<string, object> shared instances by type */
    private array $shared = [];

    /** @param array<string, string> $coreConfigData */
    public function __construct(array $coreConfigData = [])
    {
        $this->encryptor = new Encryptor('0123456789abcdef0123456789abcdef');
        $this->config = new Config($coreConfigData + [
            // What Magento's own modules declare in their config.xml, reduced to what is read here.
            'payment/checkmo/active' => '1',
            'payment/checkmo/model' => \Magento\OfflinePayments\Model\Checkmo::class,
            'payment/checkmo/order_status' => 'pending',
            'carriers/flatrate/active' => '1',
            'carriers/flatrate/model' => \Magento\OfflineShipping\Model\Carrier\Flatrate::class,
            'carriers/flatrate/price' => '5.00',
        ], $this->encryptor, [self::MODULE . '/etc/config.xml']);
        $this->events = $this;
        $this->logger = new TestLogger();
        $this->catalogHelper = new \Magento\Catalog\Helper\Product();
        $this->cartRepository = new \Magento\Quote\Model\QuoteRepository($this);
        $this->orderRepository = new \Magento\Sales\Model\OrderRepository($this);
        $this->orderManagement = new \Magento\Sales\Model\OrderManagement($this);
        $this->checkItemsQuantity = new \Magento\InventorySales\Model\CheckItemsQuantity($this);
        $this->placeReservations = new \Magento\InventorySales\Model\PlaceReservationsForSalesEvent($this);
        $this->websites[1] = new \Magento\Store\Model\Website(['website_id' => 1, 'default_group_id' => 1]);
        $this->groups[1] = new \Magento\Store\Model\Group(['group_id' => 1, 'default_store_id' => 1]);
        $this->addStore(1, 'default', 'USD', ['USD']);
        $this->shared = [
            \Magento\Framework\App\Config\ScopeConfigInterface::class => $this->config,
            \Psr\Log\LoggerInterface::class => $this->logger,
            \Magento\Catalog\Helper\Product::class => $this->catalogHelper,
            \Magento\Quote\Api\CartRepositoryInterface::class => $this->cartRepository,
            \Magento\Sales\Api\OrderRepositoryInterface::class => $this->orderRepository,
            \Magento\Store\Model\StoreManagerInterface::class => new \Magento\Store\Model\StoreManager($this),
            \Magento\Catalog\Api\ProductRepositoryInterface::class => new \Magento\Catalog\Model\ProductRepository($this),
            \Magento\Quote\Api\CartManagementInterface::class => new \Magento\Quote\Model\QuoteManagement($this),
            \Magento\Customer\Api\CustomerRepositoryInterface::class =>
                new \Magento\Customer\Model\ResourceModel\CustomerRepository($this),
            self::class => $this,
        ];
    }

    /** @param string[] $currencies */
    public function addStore(int $id, string $code, string $baseCurrency, array $currencies): void
    {
        $this->stores[$id] = new \Magento\Store\Model\Store([
            'store_id' => $id, 'code' => $code, 'website_id' => 1, 'group_id' => 1,
            'base_currency_code' => $baseCurrency, 'available_currency_codes' => $currencies,
        ]);
    }

    public function addProduct(string $sku, float $sourceQty, int $status = 1, float $price = 10.0): void
    {
        $this->products[$sku] = ['entity_id' => count($this->products) + 1, 'sku' => $sku, 'status' => $status,
            'price' => $price, 'source_qty' => $sourceQty];
    }

    /** MSI's salable quantity: source quantity plus the (negative) reservations of the stock. */
    public function salableQty(string $sku, int $stockId = 1): float
    {
        $qty = (float) ($this->products[$sku]['source_qty'] ?? 0);
        foreach ($this->reservations as $r) {
            if ($r['sku'] === $sku && $r['stock_id'] === $stockId) {
                $qty += $r['quantity'];
            }
        }
        return $qty;
    }

    public function isIncrementIdUsed(string $incrementId, int $storeId): bool
    {
        foreach ($this->orders as $order) {
            if ($order->getIncrementId() === $incrementId && (int) $order->getStoreId() === $storeId) {
                return true;
            }
        }
        return false;
    }

    public function nextIncrementId(): string
    {
        return sprintf('%09d', ++$this->sequence);
    }

    /** Shipping carriers active in configuration (Magento\Shipping\Model\CarrierFactory::createIfActive). */
    public function carriers(): array
    {
        $carriers = [];
        foreach (['flatrate', 'channelamazon'] as $code) {
            $class = $this->config->getValue("carriers/$code/model");
            if ($class && $this->config->isSetFlag("carriers/$code/active")) {
                $carriers[] = $this->get($class);
            }
        }
        return $carriers;
    }

    /** The payment method instance for a code (Magento\Payment\Helper\Data::getMethodInstance). */
    public function paymentMethod(string $code): ?\Magento\Payment\Model\MethodInterface
    {
        $class = $this->config->getValue("payment/$code/model");
        return $class ? $this->get($class) : null;
    }

    /** Constructor injection with shared instances, as Magento's object manager get() does. */
    public function get(string $type): object
    {
        if (isset($this->shared[$type])) {
            return $this->shared[$type];
        }
        $class = new \ReflectionClass($type);
        $args = [];
        foreach ($class->getConstructor()?->getParameters() ?? [] as $param) {
            $paramType = $param->getType();
            $name = $paramType instanceof \ReflectionNamedType && !$paramType->isBuiltin() ? $paramType->getName() : null;
            if ($name !== null && (isset($this->shared[$name]) || class_exists($name))) {
                $args[] = $this->get($name);
            } elseif ($param->isDefaultValueAvailable()) {
                $args[] = $param->getDefaultValue();
            } else {
                throw new \LogicException("cannot inject \${$param->getName()} of $type");
            }
        }
        return $this->shared[$type] = $class->newInstanceArgs($args);
    }

    public function share(string $type, object $instance): void
    {
        $this->shared[$type] = $instance;
    }

    /**
     * Calls $proceed through the around plugins the module's etc/di.xml declares for $type
     * (Magento\Framework\Interception: around<Method>($subject, $proceed, ...$args)).
     */
    public function intercept(string $type, object $subject, callable $proceed, array $args, string $method = 'execute')
    {
        $di = simplexml_load_file(self::MODULE . '/etc/di.xml');
        foreach ($di->xpath(sprintf('//type[@name="%s"]/plugin', $type)) ?: [] as $plugin) {
            $instance = $this->get((string) $plugin['type']);
            $around = 'around' . ucfirst($method);
            if (method_exists($instance, $around)) {
                $next = $proceed;
                $proceed = static fn (...$a) => $instance->$around($subject, $next, ...$a);
            }
        }
        return $proceed(...$args);
    }

    /**
     * Mirrors Magento\Framework\Event\Manager::dispatch(): the observers of the module's
     * etc/events.xml, then Magento's own that matter here (SubmitObserver).
     */
    public function dispatch(string $eventName, array $data = []): void
    {
        if ($eventName === $this->failingEvent) {
            throw new \Magento\Framework\Exception\LocalizedException(__('An observer of %1 failed.', $eventName));
        }
        $observer = new Observer(['event' => new Event($data + ['name' => $eventName])]);
        $events = simplexml_load_file(self::MODULE . '/etc/events.xml');
        foreach ($events->xpath(sprintf('//event[@name="%s"]/observer', $eventName)) ?: [] as $declared) {
            $this->get((string) $declared['instance'])->execute($observer);
        }
        if ($eventName === 'checkout_submit_all_after') {
            (new \Magento\Quote\Observer\SubmitObserver($this))->execute($observer);
        }
    }
}
