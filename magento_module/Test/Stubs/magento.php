<?php
// phpcs:ignoreFile
/**
 * Test-only stand-ins for the few Magento and PSR types the module touches, loaded by
 * the PHPUnit bootstrap when Magento itself is not installed. Signatures follow Magento 2.4.
 */
declare(strict_types=1);

namespace Magento\Framework\App\Config {
    interface ScopeConfigInterface
    {
        public function getValue($path, $scopeType = 'default', $scopeCode = null);
        public function isSetFlag($path, $scopeType = 'default', $scopeCode = null);
    }
}

namespace Magento\Framework\Encryption {
    interface EncryptorInterface
    {
        public function decrypt($data);
    }
}

namespace Magento\Framework {
    interface AuthorizationInterface
    {
        public function isAllowed($resource, $privilege = null);
    }
}

namespace Magento\Framework\Exception {
    class NoSuchEntityException extends \Exception
    {
    }
}

namespace Magento\Backend\Model {
    interface UrlInterface
    {
        public function getUrl($routePath = null, $routeParams = null);
    }
}

namespace Magento\Backend\Model\Auth {
    class Session
    {
        public function __construct(private readonly ?object $user = null)
        {
        }

        public function getUser()
        {
            return $this->user;
        }
    }
}

namespace Magento\Catalog\Api {
    interface ProductRepositoryInterface
    {
        public function get($sku, $editMode = false, $storeId = null, $forceReload = false);
    }
}

namespace Magento\Quote\Api {
    interface CartManagementInterface
    {
        public function createEmptyCart();
        public function placeOrder($cartId, $paymentMethod = null);
    }

    interface CartRepositoryInterface
    {
        public function get($cartId);
        public function save($quote);
    }
}

namespace Magento\Sales\Api {
    interface OrderRepositoryInterface
    {
        public function get($id);
        public function save($entity);
    }
}

namespace Magento\Store\Model {
    interface StoreManagerInterface
    {
        public function getStore($storeId = null);
    }
}

namespace Psr\Log {
    interface LoggerInterface
    {
        public function warning($message, array $context = []);
        public function error($message, array $context = []);
    }
}

namespace Magento\Framework\App\Action {
    interface HttpGetActionInterface
    {
    }

    interface HttpPostActionInterface
    {
    }
}

namespace Magento\Framework\Controller {
    interface ResultInterface
    {
    }

    class ResultFactory
    {
        public const TYPE_PAGE = 'page';
        public const TYPE_JSON = 'json';
        public const TYPE_RAW = 'raw';

        /** @var array<int, object> */
        public array $created = [];

        public function create($type)
        {
            $result = new \Channel\Amazon\Test\Unit\FakeResult($type);
            $this->created[] = $result;
            return $result;
        }
    }
}

namespace Magento\Backend\App\Action {
    class Context
    {
        public function __construct(
            public readonly object $request,
            public readonly \Magento\Framework\AuthorizationInterface $authorization,
            public readonly \Magento\Framework\Controller\ResultFactory $resultFactory,
            public readonly object $messageManager,
            public readonly object $formKeyValidator
        ) {
        }
    }
}

namespace Magento\Backend\App {
    abstract class Action
    {
        public const ADMIN_RESOURCE = 'Magento_Backend::admin';
        protected $resultFactory;
        protected $messageManager;
        protected $_formKeyValidator;
        private $request;
        private $authorization;

        public function __construct(\Magento\Backend\App\Action\Context $context)
        {
            $this->request = $context->request;
            $this->authorization = $context->authorization;
            $this->resultFactory = $context->resultFactory;
            $this->messageManager = $context->messageManager;
            $this->_formKeyValidator = $context->formKeyValidator;
        }

        public function getRequest()
        {
            return $this->request;
        }

        protected function _isAllowed()
        {
            return $this->authorization->isAllowed(static::ADMIN_RESOURCE);
        }

        /** What Magento's backend front controller does: refuse unless the ACL resource is granted. */
        public function dispatch()
        {
            if (!$this->_isAllowed()) {
                return 'denied';
            }
            return $this->execute();
        }

        abstract public function execute();
    }
}

namespace Magento\Backend\Block {
    class Template
    {
        private array $data = [];

        public function setData($key, $value = null)
        {
            $this->data[$key] = $value;
            return $this;
        }

        public function getData($key = '')
        {
            return $this->data[$key] ?? null;
        }
    }
}

namespace {
    if (!function_exists('__')) {
        function __($text, ...$args)
        {
            foreach ($args as $i => $arg) {
                $text = str_replace('%' . ($i + 1), (string) $arg, $text);
            }
            return $text;
        }
    }
}
