<?php
// phpcs:ignoreFile
/**
 * Stand-ins for the Magento 2.4.8 commerce types order creation touches (store, directory,
 * catalog, customer, quote, payment, shipping, sales, MSI), loaded by the PHPUnit bootstrap
 * when Magento is not installed. They keep their state in a Channel\Amazon\Test\Magento\Instance
 * (products, source quantities, reservations, orders, e-mails sent) and reproduce what the
 * real classes do where it matters to the module: Quote::addProduct() throws for what is not
 * salable, Quote::setCurrency() does nothing, payment importData() refuses an unavailable
 * method, the quote validator refuses a missing shipping rate, QuoteManagement reserves a new
 * increment id when the reserved one is used, MSI checks the salable quantity again and
 * appends its reservation when the order is placed, and the new-order e-mail is sent unless
 * the order's can_send_new_email_flag is false.
 */
declare(strict_types=1);

namespace Magento\Store\Api\Data {
    /** Declares Magento\Store\Api\Data\StoreInterface with the methods the module uses, as Magento declares them. */
    interface StoreInterface
    {
        public function getId();
        public function getCode();
        public function getWebsiteId();
        public function getStoreGroupId();
    }

    /** Declares Magento\Store\Api\Data\WebsiteInterface with the methods the module uses, as Magento declares them. */
    interface WebsiteInterface
    {
        public function getId();
        public function getDefaultGroupId();
    }

    /** Declares Magento\Store\Api\Data\GroupInterface with the methods the module uses, as Magento declares them. */
    interface GroupInterface
    {
        public function getId();
        public function getDefaultStoreId();
    }
}

namespace Magento\Store\Model {
    use Magento\Framework\DataObject;
    use Magento\Framework\Exception\NoSuchEntityException;

    /** Mirrors Magento\Store\Model\Store: currencies (getCurrentCurrencyCode() from `current_currency`, else default). */
    class Store extends DataObject implements \Magento\Store\Api\Data\StoreInterface
    {
        public function getId()
        {
            return $this->getData('store_id');
        }

        public function getCode()
        {
            return $this->getData('code');
        }

        public function getWebsiteId()
        {
            return $this->getData('website_id');
        }

        public function getStoreGroupId()
        {
            return $this->getData('group_id');
        }

        public function getBaseCurrencyCode()
        {
            return $this->getData('base_currency_code');
        }

        public function getDefaultCurrencyCode()
        {
            return $this->getData('default_currency_code') ?? $this->getBaseCurrencyCode();
        }

        public function getAvailableCurrencyCodes($skipBaseNotAllowed = false)
        {
            return $this->getData('available_currency_codes') ?? [$this->getBaseCurrencyCode()];
        }

        public function getCurrentCurrencyCode()
        {
            $currency = $this->getData('current_currency');
            return $currency ? $currency->getCode() : $this->getDefaultCurrencyCode();
        }
    }

    /** Mirrors Magento\Store\Model\Website: its data and the getters the module uses. */
    class Website extends DataObject implements \Magento\Store\Api\Data\WebsiteInterface
    {
        public function getId()
        {
            return $this->getData('website_id');
        }

        public function getDefaultGroupId()
        {
            return $this->getData('default_group_id');
        }
    }

    /** Mirrors Magento\Store\Model\Group: its data and the getters the module uses. */
    class Group extends DataObject implements \Magento\Store\Api\Data\GroupInterface
    {
        public function getId()
        {
            return $this->getData('group_id');
        }

        public function getDefaultStoreId()
        {
            return $this->getData('default_store_id');
        }
    }

    /** Declares Magento\Store\Model\StoreManagerInterface with the methods the module uses, as Magento declares them. */
    interface StoreManagerInterface
    {
        public function getStore($storeId = null);
        public function getWebsite($websiteId = null);
        public function getGroup($groupId = null);
    }

    /** Mirrors Magento\Store\Model\StoreManager: an unknown id is a NoSuchEntityException. */
    class StoreManager implements StoreManagerInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function getStore($storeId = null)
        {
            return $this->magento->stores[(int) $storeId]
                ?? throw new NoSuchEntityException(__("The store that was requested wasn't found. Verify the store and try again."));
        }

        public function getWebsite($websiteId = null)
        {
            return $this->magento->websites[(int) $websiteId]
                ?? throw new NoSuchEntityException(__('The website with id %1 that was requested wasn\'t found. Verify the website and try again.', $websiteId));
        }

        public function getGroup($groupId = null)
        {
            return $this->magento->groups[(int) $groupId]
                ?? throw new NoSuchEntityException(__('The store group with id %1 that was requested wasn\'t found. Verify the store group and try again.', $groupId));
        }
    }
}

namespace Magento\Directory\Model {
    use Magento\Framework\DataObject;

    /** Mirrors Magento\Directory\Model\Currency: its data and the getters the module uses. */
    class Currency extends DataObject
    {
        public function load($modelId, $field = null)
        {
            return $this->setData('currency_code', $modelId);
        }

        public function getCode()
        {
            return $this->getData('currency_code');
        }
    }

    /** Mirrors the generated Magento\Directory\Model\CurrencyFactory::create(). */
    class CurrencyFactory
    {
        public function create(array $data = [])
        {
            return new Currency($data);
        }
    }

    /** Mirrors Magento\Directory\Model\Region::loadByCode()/loadByName(): no id when not found. */
    class Region extends DataObject
    {
        public function __construct(private array $regions = [])
        {
            parent::__construct();
        }

        public function loadByCode($code, $countryId)
        {
            foreach ($this->regions as $region) {
                if ($region['country_id'] === $countryId && strcasecmp($region['code'], (string) $code) === 0) {
                    return $this->setData($region);
                }
            }
            return $this;
        }

        public function loadByName($name, $countryId)
        {
            foreach ($this->regions as $region) {
                if ($region['country_id'] === $countryId && strcasecmp($region['default_name'], (string) $name) === 0) {
                    return $this->setData($region);
                }
            }
            return $this;
        }

        public function getId()
        {
            return $this->getData('region_id');
        }

        public function getName()
        {
            return $this->getData('default_name');
        }
    }

    /** Mirrors the generated Magento\Directory\Model\RegionFactory::create(). */
    class RegionFactory
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function create(array $data = [])
        {
            return new Region($this->magento->regions);
        }
    }
}

namespace Magento\Catalog\Api\Data {
    /** Declares Magento\Catalog\Api\Data\ProductInterface with the methods the module uses, as Magento declares them. */
    interface ProductInterface
    {
        public function getId();
        public function getSku();
        public function getStatus();
    }
}

namespace Magento\Catalog\Api {
    /** Declares Magento\Catalog\Api\ProductRepositoryInterface with the methods the module uses, as Magento declares them. */
    interface ProductRepositoryInterface
    {
        public function get($sku, $editMode = false, $storeId = null, $forceReload = false);
    }
}

namespace Magento\Catalog\Helper {
    /** Mirrors Magento\Catalog\Helper\Product's skip-saleable-check flag (admin order creation sets it). */
    class Product
    {
        private bool $skipSaleableCheck = false;

        public function setSkipSaleableCheck($skipSaleableCheck = false)
        {
            $this->skipSaleableCheck = (bool) $skipSaleableCheck;
            return $this;
        }

        public function getSkipSaleableCheck()
        {
            return $this->skipSaleableCheck;
        }
    }
}

namespace Magento\Catalog\Model {
    use Magento\Framework\DataObject;

    /**
     * Mirrors Magento\Catalog\Model\Product::isSalable() -> isAvailable(): the helper's skip
     * flag, else enabled and (MSI's IsProductSalable) a salable quantity above zero.
     */
    class Product extends DataObject implements \Magento\Catalog\Api\Data\ProductInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento, array $data = [])
        {
            parent::__construct($data);
        }

        public function getId()
        {
            return $this->getData('entity_id');
        }

        public function getSku()
        {
            return $this->getData('sku');
        }

        public function getStatus()
        {
            return $this->getData('status');
        }

        public function isSalable()
        {
            if ($this->magento->catalogHelper->getSkipSaleableCheck()) {
                return true;
            }
            return (int) $this->getStatus() === 1 && $this->magento->salableQty($this->getSku()) > 0;
        }
    }

    /** Mirrors Magento\Catalog\Model\ProductRepository::get(): NoSuchEntityException for an unknown SKU. */
    class ProductRepository implements \Magento\Catalog\Api\ProductRepositoryInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function get($sku, $editMode = false, $storeId = null, $forceReload = false)
        {
            $data = $this->magento->products[$sku] ?? throw new \Magento\Framework\Exception\NoSuchEntityException(
                __("The product that was requested doesn't exist. Verify the product and try again.")
            );
            return new Product($this->magento, $data);
        }
    }
}

namespace Magento\Customer\Api\Data {
    /** Declares Magento\Customer\Api\Data\CustomerInterface with the methods the module uses, as Magento declares them. */
    interface CustomerInterface
    {
        public function getId();
        public function getEmail();
        public function setEmail($email);
        public function setFirstname($firstname);
        public function setLastname($lastname);
        public function setWebsiteId($websiteId);
        public function setStoreId($storeId);
    }

    /** Mirrors the generated Magento\Customer\Api\Data\CustomerInterfaceFactory::create(). */
    class CustomerInterfaceFactory
    {
        public function create(array $data = [])
        {
            return new \Magento\Customer\Model\Data\Customer($data);
        }
    }
}

namespace Magento\Customer\Model\Data {
    /** Mirrors Magento\Customer\Model\Data\Customer: its data and the getters the module uses. */
    class Customer extends \Magento\Framework\DataObject implements \Magento\Customer\Api\Data\CustomerInterface
    {
        public function getId()
        {
            return $this->getData('id');
        }

        public function getEmail()
        {
            return $this->getData('email');
        }

        public function setEmail($email)
        {
            return $this->setData('email', $email);
        }

        public function setFirstname($firstname)
        {
            return $this->setData('firstname', $firstname);
        }

        public function setLastname($lastname)
        {
            return $this->setData('lastname', $lastname);
        }

        public function setWebsiteId($websiteId)
        {
            return $this->setData('website_id', $websiteId);
        }

        public function setStoreId($storeId)
        {
            return $this->setData('store_id', $storeId);
        }
    }
}

namespace Magento\Customer\Api {
    /** Declares Magento\Customer\Api\CustomerRepositoryInterface with the methods the module uses, as Magento declares them. */
    interface CustomerRepositoryInterface
    {
        public function save(\Magento\Customer\Api\Data\CustomerInterface $customer, $passwordHash = null);
        public function get($email, $websiteId = null);
    }
}

namespace Magento\Customer\Model\ResourceModel {
    /** Mirrors CustomerRepository::get(): by e-mail within the website, NoSuchEntityException otherwise. */
    class CustomerRepository implements \Magento\Customer\Api\CustomerRepositoryInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function save(\Magento\Customer\Api\Data\CustomerInterface $customer, $passwordHash = null)
        {
            $customer->setData('id', count($this->magento->customers) + 1);
            $this->magento->customers[] = $customer;
            return $customer;
        }

        public function get($email, $websiteId = null)
        {
            foreach ($this->magento->customers as $customer) {
                if ($customer->getEmail() === $email && (int) $customer->getData('website_id') === (int) $websiteId) {
                    return $customer;
                }
            }
            throw new \Magento\Framework\Exception\NoSuchEntityException(
                __('No such entity with %1 = %2, %3 = %4', 'email', $email, 'websiteId', $websiteId)
            );
        }
    }
}

namespace Magento\Quote\Api\Data {
    /** Declares Magento\Quote\Api\Data\CartInterface with the methods the module uses, as Magento declares them. */
    interface CartInterface
    {
        public function getId();
        public function getStoreId();
    }

    /** Declares Magento\Quote\Api\Data\PaymentInterface with the methods the module uses, as Magento declares them. */
    interface PaymentInterface
    {
        public function getMethod();
    }
}

namespace Magento\Quote\Api {
    /** Declares Magento\Quote\Api\CartRepositoryInterface with the methods the module uses, as Magento declares them. */
    interface CartRepositoryInterface
    {
        public function get($cartId);
        public function save(\Magento\Quote\Api\Data\CartInterface $quote);
    }

    /** Declares Magento\Quote\Api\CartManagementInterface with the methods the module uses, as Magento declares them. */
    interface CartManagementInterface
    {
        public function createEmptyCart();
        public function placeOrder($cartId, ?\Magento\Quote\Api\Data\PaymentInterface $paymentMethod = null);
    }
}

namespace Magento\Quote\Model\Quote\Address {
    use Magento\Framework\DataObject;

    /** Mirrors Magento\Quote\Model\Quote\Address\RateRequest: its data and the getters the module uses. */
    class RateRequest extends DataObject
    {
    }
}

namespace Magento\Quote\Model\Quote\Address\RateResult {
    use Magento\Framework\DataObject;

    /** Mirrors Magento\Quote\Model\Quote\Address\RateResult\Method: its data and the getters the module uses. */
    class Method extends DataObject
    {
    }

    /** Mirrors Magento\Quote\Model\Quote\Address\RateResult\Error: its data and the getters the module uses. */
    class Error extends DataObject
    {
    }

    /** Mirrors the generated Magento\Quote\Model\Quote\Address\RateResult\MethodFactory::create(). */
    class MethodFactory
    {
        public function create(array $data = [])
        {
            return new Method($data);
        }
    }

    /** Mirrors the generated Magento\Quote\Model\Quote\Address\RateResult\ErrorFactory::create(). */
    class ErrorFactory
    {
        public function create(array $data = [])
        {
            return new Error($data);
        }
    }
}

namespace Magento\Shipping\Model\Rate {
    /** Mirrors Magento\Shipping\Model\Rate\Result::append()/getAllRates(). */
    class Result
    {
        private array $rates = [];

        public function append($result)
        {
            $this->rates[] = $result;
            return $this;
        }

        public function getAllRates()
        {
            return $this->rates;
        }
    }

    /** Mirrors the generated Magento\Shipping\Model\Rate\ResultFactory::create(). */
    class ResultFactory
    {
        public function create(array $data = [])
        {
            return new Result();
        }
    }
}

namespace Magento\Shipping\Model\Carrier {
    use Magento\Framework\App\Config\ScopeConfigInterface;

    /** Declares Magento\Shipping\Model\Carrier\CarrierInterface with the methods the module uses, as Magento declares them. */
    interface CarrierInterface
    {
        public function getAllowedMethods();
    }

    /** Mirrors Magento\Shipping\Model\Carrier\AbstractCarrier's constructor and config reads (carriers/<code>/<field>). */
    abstract class AbstractCarrier extends \Magento\Framework\DataObject
    {
        protected $_code;
        protected $_scopeConfig;
        protected $_rateErrorFactory;
        protected $_logger;

        public function __construct(
            ScopeConfigInterface $scopeConfig,
            \Magento\Quote\Model\Quote\Address\RateResult\ErrorFactory $rateErrorFactory,
            \Psr\Log\LoggerInterface $logger,
            array $data = []
        ) {
            $this->_scopeConfig = $scopeConfig;
            $this->_rateErrorFactory = $rateErrorFactory;
            $this->_logger = $logger;
            parent::__construct($data);
        }

        public function getConfigData($field)
        {
            return $this->_scopeConfig->getValue('carriers/' . $this->_code . '/' . $field, 'store', $this->getData('store'));
        }

        public function getConfigFlag($field)
        {
            return $this->_scopeConfig->isSetFlag('carriers/' . $this->_code . '/' . $field, 'store', $this->getData('store'));
        }

        public function getCarrierCode()
        {
            return $this->_code;
        }

        abstract public function collectRates(\Magento\Quote\Model\Quote\Address\RateRequest $request);
    }
}

namespace Magento\OfflineShipping\Model\Carrier {
    /** Mirrors Magento\OfflineShipping\Model\Carrier\Flatrate: per item, 5.00 by default; nothing when disabled. */
    class Flatrate extends \Magento\Shipping\Model\Carrier\AbstractCarrier implements \Magento\Shipping\Model\Carrier\CarrierInterface
    {
        protected $_code = 'flatrate';

        public function collectRates(\Magento\Quote\Model\Quote\Address\RateRequest $request)
        {
            if (!$this->getConfigFlag('active')) {
                return false;
            }
            $qty = 0;
            foreach ($request->getAllItems() as $item) {
                $qty += $item->getQty();
            }
            $result = new \Magento\Shipping\Model\Rate\Result();
            $price = (float) ($this->getConfigData('price') ?? 5) * $qty;
            $result->append(new \Magento\Quote\Model\Quote\Address\RateResult\Method([
                'carrier' => 'flatrate', 'method' => 'flatrate', 'price' => $price, 'cost' => $price,
            ]));
            return $result;
        }

        public function getAllowedMethods()
        {
            return ['flatrate' => 'Fixed'];
        }
    }
}

namespace Magento\Payment\Model {
    /** Declares Magento\Payment\Model\MethodInterface with the methods the module uses, as Magento declares them. */
    interface MethodInterface
    {
        public function getCode();
        public function isAvailable(?\Magento\Quote\Api\Data\CartInterface $quote = null);
        public function canUseCheckout();
        public function canUseInternal();
    }
}

namespace Magento\Payment\Model\Method {
    use Magento\Framework\App\Config\ScopeConfigInterface;

    /**
     * Mirrors Magento\Payment\Model\Method\AbstractMethod::isAvailable() (payment/<code>/active
     * of the quote's store) and the can-use flags. The real constructor's many collaborators are
     * reduced to the configuration this behaviour reads.
     */
    abstract class AbstractMethod extends \Magento\Framework\DataObject implements \Magento\Payment\Model\MethodInterface
    {
        public const CHECK_USE_FOR_COUNTRY = 'country';
        public const CHECK_USE_FOR_CURRENCY = 'currency';
        public const CHECK_USE_CHECKOUT = 'checkout';
        public const CHECK_USE_INTERNAL = 'internal';
        public const CHECK_ORDER_TOTAL_MIN_MAX = 'total';
        public const CHECK_ZERO_TOTAL = 'zero_total';

        protected $_code;
        protected $_isOffline = false;
        protected $_canUseCheckout = true;
        protected $_canUseInternal = true;
        protected $_canUseForMultishipping = true;

        public function __construct(protected ScopeConfigInterface $_scopeConfig)
        {
            parent::__construct();
        }

        public function getCode()
        {
            return $this->_code;
        }

        public function canUseCheckout()
        {
            return $this->_canUseCheckout;
        }

        public function canUseInternal()
        {
            return $this->_canUseInternal;
        }

        public function isOffline()
        {
            return $this->_isOffline;
        }

        public function getConfigData($field, $storeId = null)
        {
            return $this->_scopeConfig->getValue('payment/' . $this->getCode() . '/' . $field, 'store', $storeId);
        }

        public function isActive($storeId = null)
        {
            return (bool) (int) $this->getConfigData('active', $storeId);
        }

        public function isAvailable(?\Magento\Quote\Api\Data\CartInterface $quote = null)
        {
            return $this->isActive($quote ? $quote->getStoreId() : null);
        }
    }
}

namespace Magento\OfflinePayments\Model {
    /** Mirrors Magento\OfflinePayments\Model\Checkmo: an offline method usable at checkout, active by payment/checkmo/active. */
    class Checkmo extends \Magento\Payment\Model\Method\AbstractMethod
    {
        protected $_code = 'checkmo';
        protected $_isOffline = true;
    }
}

namespace Magento\Quote\Model {
    use Magento\Framework\DataObject;
    use Magento\Framework\Exception\LocalizedException;

    /**
     * Mirrors Magento\Quote\Model\Quote: addProduct() throws LocalizedException for a product
     * that is not salable and for a quantity the quantity validator refuses (MSI's salable
     * quantity; skipped in super mode); setCurrency() does nothing; the quote currency is the
     * forced currency or the store's current currency.
     */
    class Quote extends DataObject implements \Magento\Quote\Api\Data\CartInterface
    {
        private array $items = [];
        private ?Quote\Address $billing = null;
        private ?Quote\Address $shipping = null;
        private ?Quote\Payment $payment = null;
        private ?\Magento\Store\Model\Store $store = null;

        public function __construct(public readonly \Channel\Amazon\Test\Magento\Instance $magento)
        {
            parent::__construct();
        }

        public function getId()
        {
            return $this->getData('entity_id');
        }

        public function setStore(\Magento\Store\Model\Store $store)
        {
            $this->store = $store;
            return $this->setData('store_id', $store->getId());
        }

        public function getStore()
        {
            return $this->store ?? throw new LocalizedException(__('The store is not set.'));
        }

        public function getStoreId()
        {
            return $this->getData('store_id');
        }

        public function setCurrency(?\Magento\Quote\Api\Data\CurrencyInterface $currency = null)
        {
            return $this;
        }

        public function addProduct(\Magento\Catalog\Model\Product $product, $request = null, $processMode = 'full')
        {
            $qty = is_numeric($request) ? (float) $request : 1.0;
            if (!$product->isSalable()) {
                throw new LocalizedException(__('Product that you are trying to add is not available.'));
            }
            if (!$this->getIsSuperMode() && $qty > $this->magento->salableQty($product->getSku())) {
                throw new LocalizedException(__('The requested qty is not available'));
            }
            $item = new Quote\Item(['product' => $product, 'qty' => $qty, 'sku' => $product->getSku(), 'quote' => $this]);
            $this->items[] = $item;
            return $item;
        }

        public function getAllItems()
        {
            return $this->items;
        }

        public function getBillingAddress()
        {
            return $this->billing ??= new Quote\Address(['address_type' => 'billing', 'quote' => $this]);
        }

        public function getShippingAddress()
        {
            return $this->shipping ??= new Quote\Address(['address_type' => 'shipping', 'quote' => $this]);
        }

        public function getPayment()
        {
            return $this->payment ??= new Quote\Payment(['quote' => $this]);
        }

        public function assignCustomer(\Magento\Customer\Api\Data\CustomerInterface $customer)
        {
            $this->setData('customer_id', $customer->getId());
            $this->setData('customer_email', $customer->getEmail());
            $this->setData('customer_is_guest', false);
            return $this;
        }

        /** Mirrors Quote::reserveOrderId(): a reserved id already used gets a new sequence number. */
        public function reserveOrderId()
        {
            $reserved = $this->getReservedOrderId();
            if (!$reserved || $this->magento->isIncrementIdUsed($reserved, (int) $this->getStoreId())) {
                $this->setReservedOrderId($this->magento->nextIncrementId());
            }
            return $this;
        }

        public function collectTotals()
        {
            $subtotal = 0.0;
            foreach ($this->items as $item) {
                $price = $item->getCustomPrice() ?? (float) ($item->getProduct()->getData('price') ?? 0);
                $subtotal += $price * $item->getQty();
            }
            $shipping = (float) ($this->getShippingAddress()->getShippingAmount() ?? 0);
            $this->setData('subtotal', $subtotal);
            $this->setData('grand_total', $subtotal + $shipping);
            $forced = $this->getData('forced_currency');
            $this->setData('quote_currency_code', $forced ? $forced->getCode() : $this->getStore()->getCurrentCurrencyCode());
            $this->setData('base_currency_code', $this->getStore()->getBaseCurrencyCode());
            return $this;
        }
    }

    /** Mirrors the generated Magento\Quote\Model\QuoteFactory::create(). */
    class QuoteFactory
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function create(array $data = [])
        {
            return new Quote($this->magento);
        }
    }

    /** Mirrors Magento\Quote\Model\QuoteRepository::get()/save(): an id on first save, NoSuchEntityException for an unknown cart. */
    class QuoteRepository implements \Magento\Quote\Api\CartRepositoryInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function get($cartId)
        {
            return $this->magento->quotes[(int) $cartId]
                ?? throw new \Magento\Framework\Exception\NoSuchEntityException(__('No such entity with %1 = %2', 'cartId', $cartId));
        }

        public function save(\Magento\Quote\Api\Data\CartInterface $quote)
        {
            if (!$quote->getId()) {
                $quote->setData('entity_id', count($this->magento->quotes) + 1);
            }
            $this->magento->quotes[(int) $quote->getId()] = $quote;
        }
    }

    /**
     * Mirrors Magento\Quote\Model\QuoteManagement::submit(): QuoteValidator (address, shipping
     * rate, payment method), reserveOrderId(), sales_model_service_quote_submit_before,
     * OrderManagementInterface::place() (with MSI's AppendReservationsAfterOrderPlacementPlugin),
     * the quote made inactive; and placeOrder(): guest data from the billing address, submit(),
     * then checkout_submit_all_after (SubmitObserver: the new-order e-mail unless the order's
     * can_send_new_email_flag is false).
     */
    class QuoteManagement implements \Magento\Quote\Api\CartManagementInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function createEmptyCart()
        {
            $quote = new Quote($this->magento);
            $this->magento->cartRepository->save($quote);
            return $quote->getId();
        }

        public function placeOrder($cartId, ?\Magento\Quote\Api\Data\PaymentInterface $paymentMethod = null)
        {
            $quote = $this->magento->cartRepository->get($cartId);
            if ($quote->getCheckoutMethod() === 'guest') {
                $quote->setCustomerId(null);
                $quote->setCustomerEmail($quote->getBillingAddress()->getEmail());
                $quote->setCustomerIsGuest(true);
                $quote->setCustomerGroupId(0);
            }
            $order = $this->submit($quote);
            $this->magento->events->dispatch('checkout_submit_all_after', ['order' => $order, 'quote' => $quote]);
            return $order->getEntityId();
        }

        /** Mirrors QuoteManagement::submit() -> submitQuote() (no checkout session, no checkout_submit_all_after). */
        public function submit(Quote $quote, $orderData = [])
        {
            $this->validateBeforeSubmit($quote);
            $quote->reserveOrderId();
            $quote->collectTotals();
            $order = new \Magento\Sales\Model\Order([
                'increment_id' => $quote->getReservedOrderId(),
                'store_id' => $quote->getStoreId(),
                'customer_id' => $quote->getCustomerId(),
                'customer_email' => $quote->getCustomerEmail(),
                'customer_is_guest' => (bool) $quote->getCustomerIsGuest(),
                'subtotal' => $quote->getSubtotal(),
                'shipping_amount' => $quote->getShippingAddress()->getShippingAmount(),
                'shipping_method' => $quote->getShippingAddress()->getShippingMethod(),
                'grand_total' => $quote->getGrandTotal(),
                'order_currency_code' => $quote->getQuoteCurrencyCode(),
                'base_currency_code' => $quote->getBaseCurrencyCode(),
                'payment_method' => $quote->getPayment()->getMethod(),
                'state' => 'new',
                'status' => $this->magento->config->getValue('payment/' . $quote->getPayment()->getMethod() . '/order_status') ?: 'pending',
                'items' => array_map(static fn ($i) => ['sku' => $i->getSku(), 'qty_ordered' => $i->getQty(),
                    'product_id' => $i->getProduct()->getId()], $quote->getAllItems()),
            ]);
            $this->magento->events->dispatch('sales_model_service_quote_submit_before', ['order' => $order, 'quote' => $quote]);
            $order = $this->magento->orderManagement->placeThroughPlugins($order);
            $quote->setIsActive(false);
            $this->magento->events->dispatch('sales_model_service_quote_submit_success', ['order' => $order, 'quote' => $quote]);
            return $order;
        }

        private function validateBeforeSubmit(Quote $quote): void
        {
            $address = $quote->getShippingAddress();
            foreach (['firstname', 'lastname', 'street', 'city', 'telephone', 'postcode', 'country_id'] as $field) {
                if (empty($address->getData($field))) {
                    throw new LocalizedException(__('Please check the shipping address information. %1', '"' . $field . '" is required. Enter and try again.'));
                }
            }
            $method = $address->getShippingMethod();
            if (!$method || !$address->getShippingRateByCode($method)) {
                throw new LocalizedException(__('The shipping method is missing. Select the shipping method and try again.'));
            }
            if (!$quote->getPayment()->getMethod()) {
                throw new LocalizedException(__('Enter a valid payment method and try again.'));
            }
        }
    }
}

namespace Magento\Quote\Model\Quote {
    use Magento\Framework\DataObject;
    use Magento\Framework\Exception\LocalizedException;

    /** Mirrors Magento\Quote\Model\Quote\Item: its data and the getters the module uses. */
    class Item extends DataObject
    {
        public function getProduct()
        {
            return $this->getData('product');
        }

        public function getQuote()
        {
            return $this->getData('quote');
        }

        public function getQty()
        {
            return $this->getData('qty');
        }
    }

    /**
     * Mirrors Quote\Address::collectShippingRates(): every carrier active in configuration
     * (carriers/<code>/active, carriers/<code>/model) is asked for rates; the shipping amount
     * is the selected rate's price.
     */
    class Address extends DataObject
    {
        private array $rates = [];

        public function collectShippingRates()
        {
            if (!$this->getCollectShippingRates()) {
                return $this;
            }
            $quote = $this->getData('quote');
            $request = new Address\RateRequest(['all_items' => $quote->getAllItems()]);
            $this->rates = [];
            foreach ($quote->magento->carriers() as $carrier) {
                $result = $carrier->collectRates($request);
                if ($result) {
                    foreach ($result->getAllRates() as $rate) {
                        $this->rates[$rate->getCarrier() . '_' . $rate->getMethod()] = $rate;
                    }
                }
            }
            return $this;
        }

        public function getAllShippingRates()
        {
            return array_values($this->rates);
        }

        public function getShippingRateByCode($code)
        {
            return $this->rates[$code] ?? false;
        }

        public function setShippingMethod($method)
        {
            $this->setData('shipping_method', $method);
            $rate = $this->rates[$method] ?? null;
            return $this->setData('shipping_amount', $rate ? (float) $rate->getPrice() : null);
        }

        public function getShippingMethod()
        {
            return $this->getData('shipping_method');
        }
    }

    /**
     * Mirrors Quote\Payment::importData(): the method instance from payment/<code>/model; it must
     * be available for the quote and pass the checks asked for (by default those of the storefront
     * checkout), else LocalizedException "The requested Payment Method is not available.".
     */
    class Payment extends DataObject implements \Magento\Quote\Api\Data\PaymentInterface
    {
        public function importData(array $data)
        {
            $quote = $this->getData('quote');
            $code = (string) ($data['method'] ?? '');
            $method = $quote->magento->paymentMethod($code);
            $checks = $data['checks'] ?? [
                \Magento\Payment\Model\Method\AbstractMethod::CHECK_USE_CHECKOUT,
                \Magento\Payment\Model\Method\AbstractMethod::CHECK_USE_FOR_COUNTRY,
                \Magento\Payment\Model\Method\AbstractMethod::CHECK_USE_FOR_CURRENCY,
                \Magento\Payment\Model\Method\AbstractMethod::CHECK_ORDER_TOTAL_MIN_MAX,
            ];
            $applicable = $method !== null && $method->isAvailable($quote)
                && (!in_array('checkout', $checks, true) || $method->canUseCheckout())
                && (!in_array('internal', $checks, true) || $method->canUseInternal());
            if (!$applicable) {
                throw new LocalizedException(__('The requested Payment Method is not available.'));
            }
            return $this->setData('method', $code);
        }

        public function getMethod()
        {
            return $this->getData('method');
        }
    }
}

namespace Magento\Sales\Api\Data {
    /** Declares Magento\Sales\Api\Data\OrderInterface with the methods the module uses, as Magento declares them. */
    interface OrderInterface
    {
        public function getEntityId();
        public function getIncrementId();
        public function getStoreId();
        public function getState();
        public function getStatus();
        public function setStatus($status);
        public function getExtOrderId();
        public function setExtOrderId($id);
        public function getGrandTotal();
        public function getOrderCurrencyCode();
    }

    /** Declares Magento\Sales\Api\Data\OrderSearchResultInterface with the methods the module uses, as Magento declares them. */
    interface OrderSearchResultInterface
    {
        public function getItems();
    }
}

namespace Magento\Sales\Api {
    /** Declares Magento\Sales\Api\OrderRepositoryInterface with the methods the module uses, as Magento declares them. */
    interface OrderRepositoryInterface
    {
        public function getList(\Magento\Framework\Api\SearchCriteria $searchCriteria);
        public function get($id);
        public function save(\Magento\Sales\Api\Data\OrderInterface $entity);
    }

    /** Declares Magento\Sales\Api\OrderManagementInterface with the methods the module uses, as Magento declares them. */
    interface OrderManagementInterface
    {
        public function place(\Magento\Sales\Api\Data\OrderInterface $order);
    }
}

namespace Magento\Sales\Model {
    use Magento\Framework\DataObject;

    /** Mirrors Magento\Sales\Model\Order: the new-order e-mail flag defaults to true. */
    class Order extends DataObject implements \Magento\Sales\Api\Data\OrderInterface
    {
        protected $_canSendNewEmailFlag = true;
        public array $history = [];

        public function getEntityId()
        {
            return $this->getData('entity_id');
        }

        public function getIncrementId()
        {
            return $this->getData('increment_id');
        }

        public function getStoreId()
        {
            return $this->getData('store_id');
        }

        public function getState()
        {
            return $this->getData('state');
        }

        public function getStatus()
        {
            return $this->getData('status');
        }

        public function setStatus($status)
        {
            return $this->setData('status', $status);
        }

        public function getExtOrderId()
        {
            return $this->getData('ext_order_id');
        }

        public function setExtOrderId($id)
        {
            return $this->setData('ext_order_id', $id);
        }

        public function getGrandTotal()
        {
            return $this->getData('grand_total');
        }

        public function getOrderCurrencyCode()
        {
            return $this->getData('order_currency_code');
        }

        public function setCanSendNewEmailFlag($flag)
        {
            $this->_canSendNewEmailFlag = (bool) $flag;
            return $this;
        }

        public function getCanSendNewEmailFlag()
        {
            return $this->_canSendNewEmailFlag;
        }

        public function addCommentToStatusHistory($comment, $status = false, $isVisibleOnFront = false)
        {
            $this->history[] = (string) $comment;
            return $this;
        }
    }

    /** Mirrors Magento\Sales\Model\OrderSearchResult: its data and the getters the module uses. */
    class OrderSearchResult implements \Magento\Sales\Api\Data\OrderSearchResultInterface
    {
        public function __construct(private array $items)
        {
        }

        public function getItems()
        {
            return $this->items;
        }
    }

    /** Mirrors OrderRepository::getList() (filters ANDed, equality) and get() (NoSuchEntityException). */
    class OrderRepository implements \Magento\Sales\Api\OrderRepositoryInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function getList(\Magento\Framework\Api\SearchCriteria $searchCriteria)
        {
            $items = [];
            foreach ($this->magento->orders as $id => $order) {
                foreach ($searchCriteria->getFilterGroups() as [$field, $value]) {
                    if ((string) $order->getData($field) !== (string) $value) {
                        continue 2;
                    }
                }
                $items[$id] = $order;
            }
            return new OrderSearchResult($items);
        }

        public function get($id)
        {
            return $this->magento->orders[(int) $id]
                ?? throw new \Magento\Framework\Exception\NoSuchEntityException(__('The entity that was requested doesn\'t exist. Verify the entity and try again.'));
        }

        public function save(\Magento\Sales\Api\Data\OrderInterface $entity)
        {
            if ($this->magento->beforeOrderSave !== null) {
                ($this->magento->beforeOrderSave)($entity);
            }
            if (!$entity->getEntityId()) {
                $entity->setData('entity_id', count($this->magento->orders) + 501);
            }
            $this->magento->orders[(int) $entity->getEntityId()] = $entity;
            return $entity;
        }
    }

    /** Mirrors Magento\Sales\Model\Service\OrderService::place() (OrderManagementInterface): the order saved. */
    class OrderManagement implements \Magento\Sales\Api\OrderManagementInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function place(\Magento\Sales\Api\Data\OrderInterface $order)
        {
            return $this->magento->orderRepository->save($order);
        }

        /** place() as the object manager's interceptor runs it: MSI's around plugin first. */
        public function placeThroughPlugins(\Magento\Sales\Api\Data\OrderInterface $order)
        {
            $plugin = new \Magento\InventorySales\Plugin\Sales\OrderManagement\AppendReservationsAfterOrderPlacementPlugin($this->magento);
            return $plugin->aroundPlace($this, fn ($o) => $this->place($o), $order);
        }
    }
}

namespace Magento\Sales\Model\Order {
    /** Mirrors Magento\Sales\Model\Order\Config::getStateStatuses() for the default status assignments. */
    class Config
    {
        public const STATE_STATUSES = [
            'new' => ['pending' => 'Pending'],
            'processing' => ['processing' => 'Processing', 'fraud' => 'Suspected Fraud'],
            'complete' => ['complete' => 'Complete'],
            'holded' => ['holded' => 'On Hold'],
        ];

        public function getStateStatuses($state, $addLabels = true)
        {
            $statuses = [];
            foreach ((array) $state as $one) {
                $statuses += self::STATE_STATUSES[$one] ?? [];
            }
            return $addLabels ? $statuses : array_keys($statuses);
        }
    }
}

namespace Magento\InventorySales\Model {
    use Magento\Framework\Exception\LocalizedException;

    /** Mirrors CheckItemsQuantity::execute(): every SKU must be salable for its quantity in the stock. */
    class CheckItemsQuantity
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function execute(array $items, int $stockId): void
        {
            foreach ($items as $sku => $qty) {
                if ($qty > $this->magento->salableQty((string) $sku, $stockId)) {
                    throw new LocalizedException(__('The requested qty is not available'));
                }
            }
        }
    }

    /** Mirrors PlaceReservationsForSalesEvent::execute(): one reservation row per item, Magento's metadata. */
    class PlaceReservationsForSalesEvent implements \Magento\InventorySalesApi\Api\PlaceReservationsForSalesEventInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function execute(array $items, $salesChannel, $salesEvent): void
        {
            foreach ($items as $sku => $qty) {
                $this->magento->reservations[] = ['stock_id' => 1, 'sku' => $sku, 'quantity' => $qty,
                    'metadata' => json_encode($salesEvent)];
            }
        }
    }
}

namespace Magento\InventorySalesApi\Api {
    /** Declares Magento\InventorySalesApi\Api\PlaceReservationsForSalesEventInterface with the methods the module uses, as Magento declares them. */
    interface PlaceReservationsForSalesEventInterface
    {
        public function execute(array $items, $salesChannel, $salesEvent): void;
    }
}

namespace Magento\InventorySales\Plugin\Sales\OrderManagement {
    /**
     * Mirrors AppendReservationsAfterOrderPlacementPlugin::aroundPlace() with AppendReservations::reserve():
     * the salable check again (CheckItemsQuantity), the order_placed reservation, then the order;
     * a failed placement is compensated. Both calls go through the module's plugins (etc/di.xml).
     */
    class AppendReservationsAfterOrderPlacementPlugin
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function aroundPlace($subject, callable $proceed, \Magento\Sales\Api\Data\OrderInterface $order)
        {
            $bySku = [];
            foreach ($order->getData('items') as $item) {
                $bySku[$item['sku']] = ($bySku[$item['sku']] ?? 0) + (float) $item['qty_ordered'];
            }
            $check = $this->magento->checkItemsQuantity;
            $this->magento->intercept(
                \Magento\InventorySales\Model\CheckItemsQuantity::class,
                $check,
                fn (array $items, int $stockId) => $check->execute($items, $stockId),
                [$bySku, 1]
            );
            $event = ['event_type' => 'order_placed', 'object_type' => 'order', 'object_id' => '',
                'object_increment_id' => (string) $order->getIncrementId()];
            $place = $this->magento->placeReservations;
            $toSell = array_map(static fn ($qty) => -$qty, $bySku);
            $this->magento->intercept(
                \Magento\InventorySalesApi\Api\PlaceReservationsForSalesEventInterface::class,
                $place,
                fn ($items, $channel, $salesEvent) => $place->execute($items, $channel, $salesEvent),
                [$toSell, ['type' => 'website', 'code' => 'base'], $event]
            );
            try {
                return $proceed($order);
            } catch (\Exception $e) {
                $this->magento->intercept(
                    \Magento\InventorySalesApi\Api\PlaceReservationsForSalesEventInterface::class,
                    $place,
                    fn ($items, $channel, $salesEvent) => $place->execute($items, $channel, $salesEvent),
                    [$bySku, ['type' => 'website', 'code' => 'base'], ['event_type' => 'order_place_failed'] + $event]
                );
                throw $e;
            }
        }
    }
}

namespace Magento\Quote\Observer {
    /** Mirrors SubmitObserver (checkout_submit_all_after): the new-order e-mail unless the order's flag is false. */
    class SubmitObserver implements \Magento\Framework\Event\ObserverInterface
    {
        public function __construct(private \Channel\Amazon\Test\Magento\Instance $magento)
        {
        }

        public function execute(\Magento\Framework\Event\Observer $observer)
        {
            $order = $observer->getEvent()->getData('order');
            if ($order->getCanSendNewEmailFlag()) {
                $this->magento->emailsSent[] = (string) $order->getIncrementId();
            }
        }
    }
}
