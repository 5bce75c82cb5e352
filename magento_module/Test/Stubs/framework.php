<?php
// phpcs:ignoreFile
/**
 * Test-only stand-ins for the Magento 2.4.8 framework and backend types the module touches,
 * loaded by the PHPUnit bootstrap when Magento is not installed. Each one reproduces the
 * behaviour of the class it names (read from magento/magento2 2.4.8), not "accept anything":
 * the admin request pipeline refuses what Magento refuses, configuration is decrypted the way
 * config metadata processing does, the HTTP client sends real requests. Signatures follow the
 * real classes (Test/Fixtures/magento-2.4.8-signatures.json, checked by SymbolCheckTest).
 */
declare(strict_types=1);

namespace Magento\Framework {
    /** Mirrors Magento\Framework\Phrase: text with %1-style placeholders, rendered on cast. */
    class Phrase implements \JsonSerializable
    {
        public function __construct(private string $text, private array $arguments = [])
        {
        }

        public function render()
        {
            $text = $this->text;
            foreach ($this->arguments as $i => $arg) {
                $text = str_replace('%' . ($i + 1), (string) $arg, $text);
            }
            return $text;
        }

        public function getText()
        {
            return $this->text;
        }

        public function getArguments()
        {
            return $this->arguments;
        }

        public function __toString()
        {
            return $this->render();
        }

        public function jsonSerialize(): mixed
        {
            return $this->render();
        }
    }

    /** Declares Magento\Framework\AuthorizationInterface with the methods the module uses, as Magento declares them. */
    interface AuthorizationInterface
    {
        public function isAllowed($resource, $privilege = null);
    }

    /** Mirrors Magento\Framework\DataObject: data by key, magic get/set/has/uns by snake_case key. */
    class DataObject implements \ArrayAccess
    {
        protected $_data = [];

        public function __construct(array $data = [])
        {
            $this->_data = $data;
        }

        public function addData(array $arr)
        {
            foreach ($arr as $index => $value) {
                $this->setData($index, $value);
            }
            return $this;
        }

        public function setData($key, $value = null)
        {
            if ($key === (array) $key) {
                $this->_data = $key;
            } else {
                $this->_data[$key] = $value;
            }
            return $this;
        }

        public function unsetData($key = null)
        {
            if ($key === null) {
                $this->_data = [];
            } else {
                unset($this->_data[$key]);
            }
            return $this;
        }

        public function getData($key = '', $index = null)
        {
            if ($key === '') {
                return $this->_data;
            }
            return $this->_data[$key] ?? null;
        }

        public function hasData($key = '')
        {
            return $key === '' ? !empty($this->_data) : array_key_exists($key, $this->_data);
        }

        public function __call($method, $args)
        {
            $key = strtolower(trim(preg_replace('/([A-Z]|[0-9]+)/', '_$1', substr($method, 3)), '_'));
            switch (substr($method, 0, 3)) {
                case 'get':
                    return $this->getData($key, $args[0] ?? null);
                case 'set':
                    return $this->setData($key, $args[0] ?? null);
                case 'uns':
                    return $this->unsetData($key);
                case 'has':
                    return isset($this->_data[$key]);
            }
            throw new \Magento\Framework\Exception\LocalizedException(
                new Phrase('Invalid method %1::%2', [get_class($this), $method])
            );
        }

        public function offsetExists($offset): bool
        {
            return isset($this->_data[$offset]);
        }

        public function offsetGet($offset): mixed
        {
            return $this->_data[$offset] ?? null;
        }

        public function offsetSet($offset, $value): void
        {
            $this->_data[$offset] = $value;
        }

        public function offsetUnset($offset): void
        {
            unset($this->_data[$offset]);
        }
    }

    /** Mirrors Magento\Framework\Escaper::escapeHtml (no allowed tags). */
    class Escaper
    {
        public function escapeHtml($data, $allowedTags = null)
        {
            return htmlspecialchars((string) $data, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8', false);
        }
    }
}

namespace Magento\Framework\Exception {
    use Magento\Framework\Phrase;

    /** Mirrors Magento\Framework\Exception\LocalizedException: a Phrase as message. */
    class LocalizedException extends \Exception
    {
        protected $phrase;

        public function __construct(Phrase $phrase, ?\Exception $cause = null, $code = 0)
        {
            $this->phrase = $phrase;
            parent::__construct($phrase->render(), (int) $code, $cause);
        }

        public function getRawMessage()
        {
            return $this->phrase->getText();
        }
    }

    /** Mirrors Magento\Framework\Exception\NoSuchEntityException: "No such entity." by default. */
    class NoSuchEntityException extends LocalizedException
    {
        public function __construct(?Phrase $phrase = null, ?\Exception $cause = null, $code = 0)
        {
            parent::__construct($phrase ?? new Phrase('No such entity.'), $cause, $code);
        }
    }

    /** Mirrors Magento\Framework\Exception\NotFoundException (a 404 through the front controller). */
    class NotFoundException extends LocalizedException
    {
    }
}

namespace Magento\Framework\App {
    /** Declares Magento\Framework\App\RequestInterface with the methods the module uses, as Magento declares them. */
    interface RequestInterface
    {
        public function getModuleName();
        public function setModuleName($name);
        public function getActionName();
        public function setActionName($name);
        public function getParam($key, $defaultValue = null);
        public function setParams(array $params);
        public function getParams();
        public function getCookie($name, $default);
        public function isSecure();
    }

    /** Declares Magento\Framework\App\ResponseInterface with the methods the module uses, as Magento declares them. */
    interface ResponseInterface
    {
        public function sendResponse();
    }

    /** Declares Magento\Framework\App\ActionInterface with the methods the module uses, as Magento declares them. */
    interface ActionInterface
    {
        public const FLAG_NO_DISPATCH = 'no-dispatch';
        public const FLAG_NO_POST_DISPATCH = 'no-postDispatch';
        public function execute();
    }

    /** Mirrors Magento\Framework\App\ActionFlag. */
    class ActionFlag
    {
        private array $flags = [];

        public function set($action, $flag, $value)
        {
            $this->flags[$action][$flag] = $value;
        }

        public function get($action, $flag = '')
        {
            return $this->flags[$action][$flag] ?? false;
        }
    }

    /** Mirrors Magento\Framework\App\CacheInterface (load/save/remove with lifetimes). */
    interface CacheInterface
    {
        public function getFrontend();
        public function load($identifier);
        public function save($data, $identifier, $tags = [], $lifeTime = null);
        public function remove($identifier);
        public function clean($tags = []);
    }
}

namespace Magento\Framework\App\Action {
    /** Declares Magento\Framework\App\Action\HttpGetActionInterface with the methods the module uses, as Magento declares them. */
    interface HttpGetActionInterface extends \Magento\Framework\App\ActionInterface
    {
    }

    /** Declares Magento\Framework\App\Action\HttpPostActionInterface with the methods the module uses, as Magento declares them. */
    interface HttpPostActionInterface extends \Magento\Framework\App\ActionInterface
    {
    }

    /** Declares Magento\Framework\App\Action\HttpPutActionInterface with the methods the module uses, as Magento declares them. */
    interface HttpPutActionInterface extends \Magento\Framework\App\ActionInterface
    {
    }

    /** Declares Magento\Framework\App\Action\HttpPatchActionInterface with the methods the module uses, as Magento declares them. */
    interface HttpPatchActionInterface extends \Magento\Framework\App\ActionInterface
    {
    }

    /** Declares Magento\Framework\App\Action\HttpDeleteActionInterface with the methods the module uses, as Magento declares them. */
    interface HttpDeleteActionInterface extends \Magento\Framework\App\ActionInterface
    {
    }

    /** Declares Magento\Framework\App\Action\HttpHeadActionInterface with the methods the module uses, as Magento declares them. */
    interface HttpHeadActionInterface extends HttpGetActionInterface
    {
    }

    /** Declares Magento\Framework\App\Action\HttpOptionsActionInterface with the methods the module uses, as Magento declares them. */
    interface HttpOptionsActionInterface extends \Magento\Framework\App\ActionInterface
    {
    }
}

namespace Magento\Framework\App\Request {
    use Magento\Framework\App\ActionInterface;
    use Magento\Framework\App\RequestInterface;
    use Magento\Framework\Exception\NotFoundException;
    use Magento\Framework\Phrase;

    /**
     * Mirrors Magento\Framework\App\Request\Http: parameters are the route/user parameters,
     * then the query, then the (form-encoded) post fields; a JSON body is only content.
     * isAjax() as Laminas' isXmlHttpRequest() plus the `ajax`/`isAjax` parameters.
     */
    class Http implements RequestInterface
    {
        private array $userParams = [];
        private bool $dispatched = false;

        public function __construct(
            private string $method = 'GET',
            private array $query = [],
            private array $post = [],
            private string $content = '',
            private array $headers = [],
            private string $actionName = 'index',
            private string $requestUri = '/admin/'
        ) {
            $this->method = strtoupper($method);
        }

        public function getMethod()
        {
            return $this->method;
        }

        public function isPost()
        {
            return $this->method === 'POST';
        }

        public function isGet()
        {
            return $this->method === 'GET';
        }

        public function isPut()
        {
            return $this->method === 'PUT';
        }

        public function isDelete()
        {
            return $this->method === 'DELETE';
        }

        public function isAjax()
        {
            if ($this->getHeader('X_REQUESTED_WITH') === 'XMLHttpRequest') {
                return true;
            }
            return $this->getParam('ajax') || $this->getParam('isAjax');
        }

        public function getHeader($name, $default = false)
        {
            $wanted = strtolower(str_replace('_', '-', $name));
            foreach ($this->headers as $key => $value) {
                if (strtolower(str_replace('_', '-', $key)) === $wanted) {
                    return $value;
                }
            }
            return $default;
        }

        public function getParam($key, $default = null)
        {
            $defaultValue = $default;
            if (array_key_exists($key, $this->userParams)) {
                return $this->userParams[$key];
            }
            if (array_key_exists($key, $this->query)) {
                return $this->query[$key];
            }
            if (array_key_exists($key, $this->post)) {
                return $this->post[$key];
            }
            return $defaultValue;
        }

        public function getParams()
        {
            return $this->userParams + $this->query + $this->post;
        }

        public function setParam($key, $value)
        {
            $this->userParams[$key] = $value;
            return $this;
        }

        public function setParams(array $params)
        {
            foreach ($params as $key => $value) {
                $this->setParam($key, $value);
            }
            return $this;
        }

        public function getQuery($name = null, $default = null)
        {
            return $name === null ? $this->query : ($this->query[$name] ?? $default);
        }

        public function getPost($name = null, $default = null)
        {
            return $name === null ? $this->post : ($this->post[$name] ?? $default);
        }

        public function getContent()
        {
            return $this->content;
        }

        public function getRequestUri()
        {
            return $this->requestUri;
        }

        public function getModuleName()
        {
            return 'channel_amazon';
        }

        public function setModuleName($name)
        {
            return $this;
        }

        public function getActionName()
        {
            return $this->actionName;
        }

        public function setActionName($name)
        {
            $this->actionName = $name;
            return $this;
        }

        public function getCookie($name, $default)
        {
            return $default;
        }

        public function isSecure()
        {
            return true;
        }

        public function isDispatched()
        {
            return $this->dispatched;
        }

        public function setDispatched($flag = true)
        {
            $this->dispatched = $flag;
            return $this;
        }

        public function isForwarded()
        {
            return false;
        }
    }

    /** Mirrors Magento\Framework\App\Request\InvalidRequestException: a result replacing the action's. */
    class InvalidRequestException extends \RuntimeException
    {
        public function __construct(private $replaceResult, private ?array $messages = null)
        {
            parent::__construct('Invalid request received');
        }

        public function getReplaceResult()
        {
            return $this->replaceResult;
        }

        public function getMessages()
        {
            return $this->messages;
        }
    }

    /** Declares Magento\Framework\App\Request\ValidatorInterface with the methods the module uses, as Magento declares them. */
    interface ValidatorInterface
    {
        public function validate(RequestInterface $request, ActionInterface $action): void;
    }

    /**
     * Mirrors Magento\Framework\App\Request\HttpMethodValidator::validate() with the map of
     * app/etc/di.xml (HttpMethodMap): an action implementing any Http*ActionInterface answers
     * only those methods; anything else is a NotFoundException (404).
     */
    class HttpMethodValidator implements ValidatorInterface
    {
        public const MAP = [
            'OPTIONS' => \Magento\Framework\App\Action\HttpOptionsActionInterface::class,
            'GET' => \Magento\Framework\App\Action\HttpGetActionInterface::class,
            'HEAD' => \Magento\Framework\App\Action\HttpHeadActionInterface::class,
            'POST' => \Magento\Framework\App\Action\HttpPostActionInterface::class,
            'PUT' => \Magento\Framework\App\Action\HttpPutActionInterface::class,
            'PATCH' => \Magento\Framework\App\Action\HttpPatchActionInterface::class,
            'DELETE' => \Magento\Framework\App\Action\HttpDeleteActionInterface::class,
        ];

        public function validate(RequestInterface $request, ActionInterface $action): void
        {
            if ($request instanceof Http) {
                $method = $request->getMethod();
                if (!array_key_exists($method, self::MAP)
                    || (array_intersect(self::MAP, class_implements($action, true)) && !$action instanceof (self::MAP[$method]))
                ) {
                    throw new InvalidRequestException(new NotFoundException(new Phrase('Page not found.')));
                }
            }
        }
    }
}

namespace Magento\Framework\App\Response {
    /** Mirrors the parts of Magento\Framework\App\Response\Http the admin pipeline uses. */
    class Http implements \Magento\Framework\App\ResponseInterface
    {
        private int $status = 200;
        private string $body = '';
        private array $headers = [];

        public function setHttpResponseCode($code)
        {
            $this->status = (int) $code;
            return $this;
        }

        public function setStatusHeader($httpCode, $version = null, $phrase = null)
        {
            return $this->setHttpResponseCode($httpCode);
        }

        public function getStatusCode()
        {
            return $this->status;
        }

        public function setHeader($name, $value, $replace = false)
        {
            $this->headers[strtolower($name)] = (string) $value;
            return $this;
        }

        public function getHeader($name)
        {
            return $this->headers[strtolower($name)] ?? false;
        }

        public function setRedirect($url, $code = 302)
        {
            $this->setHeader('Location', $url, true);
            return $this->setHttpResponseCode($code);
        }

        public function representJson($content)
        {
            $this->setHeader('Content-Type', 'application/json', true);
            return $this->setBody($content);
        }

        public function setBody($value)
        {
            $this->body = (string) $value;
            return $this;
        }

        public function getBody()
        {
            return $this->body;
        }

        public function sendResponse()
        {
        }
    }
}

namespace Magento\Framework\App\Config {
    /** Declares Magento\Framework\App\Config\ScopeConfigInterface with the methods the module uses, as Magento declares them. */
    interface ScopeConfigInterface
    {
        public const SCOPE_TYPE_DEFAULT = 'default';
        public function getValue($path, $scopeType = ScopeConfigInterface::SCOPE_TYPE_DEFAULT, $scopeCode = null);
        public function isSetFlag($path, $scopeType = ScopeConfigInterface::SCOPE_TYPE_DEFAULT, $scopeCode = null);
    }
}

namespace Magento\Framework\Encryption {
    /** Declares Magento\Framework\Encryption\EncryptorInterface with the methods the module uses, as Magento declares them. */
    interface EncryptorInterface
    {
        public function encrypt($data);
        public function decrypt($data);
    }

    /**
     * Mirrors Magento\Framework\Encryption\Encryptor with the sodium AEAD cipher (version 3):
     * `<key version>:3:<base64(nonce . ciphertext)>`; a value not in that form or not
     * authentic decrypts to '' (what decrypt() returns for garbage).
     */
    class Encryptor implements EncryptorInterface
    {
        public function __construct(private string $key)
        {
            $this->key = substr(str_pad($key, SODIUM_CRYPTO_AEAD_CHACHA20POLY1305_IETF_KEYBYTES, '0'), 0, 32);
        }

        public function encrypt($data)
        {
            $nonce = random_bytes(SODIUM_CRYPTO_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES);
            $cipher = sodium_crypto_aead_chacha20poly1305_ietf_encrypt((string) $data, $nonce, $nonce, $this->key);
            return '0:3:' . base64_encode($nonce . $cipher);
        }

        public function decrypt($data)
        {
            $parts = explode(':', (string) $data, 3);
            if (count($parts) !== 3 || $parts[1] !== '3') {
                return '';
            }
            $raw = base64_decode($parts[2], true);
            if ($raw === false || strlen($raw) <= SODIUM_CRYPTO_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES) {
                return '';
            }
            $nonce = substr($raw, 0, SODIUM_CRYPTO_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES);
            $plain = sodium_crypto_aead_chacha20poly1305_ietf_decrypt(
                substr($raw, SODIUM_CRYPTO_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES),
                $nonce,
                $nonce,
                $this->key
            );
            return $plain === false ? '' : $plain;
        }
    }
}

namespace Magento\Framework\Data\Form {
    /** Mirrors Magento\Framework\Data\Form\FormKey: the session's form key. */
    class FormKey
    {
        public function __construct(private string $formKey = 'K3yOfTh1sSession')
        {
        }

        public function getFormKey()
        {
            return $this->formKey;
        }
    }
}

namespace Magento\Framework\Data\Form\FormKey {
    /** Mirrors Magento\Framework\Data\Form\FormKey\Validator: only validate(), only the `form_key` parameter. */
    class Validator
    {
        public function __construct(protected \Magento\Framework\Data\Form\FormKey $_formKey)
        {
        }

        public function validate(\Magento\Framework\App\RequestInterface $request)
        {
            $formKey = $request->getParam('form_key', null);
            return $formKey && hash_equals($this->_formKey->getFormKey(), (string) $formKey);
        }
    }
}

namespace Magento\Framework\Controller {
    /** Declares Magento\Framework\Controller\ResultInterface with the methods the module uses, as Magento declares them. */
    interface ResultInterface
    {
        public function setHttpResponseCode($httpCode);
        public function setHeader($name, $value, $replace = false);
        public function renderResult(\Magento\Framework\App\ResponseInterface $response);
    }

    /** Mirrors Magento\Framework\Controller\ResultFactory: a result object by type. */
    class ResultFactory
    {
        public const TYPE_JSON = 'json';
        public const TYPE_RAW = 'raw';
        public const TYPE_REDIRECT = 'redirect';
        public const TYPE_FORWARD = 'forward';
        public const TYPE_LAYOUT = 'layout';
        public const TYPE_PAGE = 'page';

        public function create($type, array $arguments = [])
        {
            return match ($type) {
                self::TYPE_JSON => new Result\Json(),
                self::TYPE_RAW => new Result\Raw(),
                self::TYPE_PAGE => new \Magento\Backend\Model\View\Result\Page(),
                self::TYPE_REDIRECT => new Result\Redirect(),
                default => throw new \InvalidArgumentException('Wrong result type: ' . $type),
            };
        }
    }
}

namespace Magento\Framework\Controller\Result {
    use Magento\Framework\App\ResponseInterface;

    /** Mirrors Magento\Framework\Controller\AbstractResult: status and headers, rendered into the response by renderResult(). */
    abstract class AbstractResultStub implements \Magento\Framework\Controller\ResultInterface
    {
        public int $code = 200;
        public array $headers = [];

        public function setHttpResponseCode($httpCode)
        {
            $this->code = (int) $httpCode;
            return $this;
        }

        public function setHeader($name, $value, $replace = false)
        {
            $this->headers[strtolower($name)] = (string) $value;
            return $this;
        }

        public function renderResult(ResponseInterface $response)
        {
            $response->setHttpResponseCode($this->code);
            foreach ($this->headers as $name => $value) {
                $response->setHeader($name, $value, true);
            }
            $response->setBody($this->body());
            return $this;
        }

        abstract protected function body(): string;
    }

    /** Mirrors Magento\Framework\Controller\Result\Json: setData() is JSON-encoded on render. */
    class Json extends AbstractResultStub
    {
        private string $json = '';

        public function setData($data, $cycleCheck = false, $options = [])
        {
            $this->json = json_encode($data, JSON_THROW_ON_ERROR);
            return $this;
        }

        public function setJsonData($jsonData)
        {
            $this->json = (string) $jsonData;
            return $this;
        }

        protected function body(): string
        {
            $this->headers['content-type'] ??= 'application/json';
            return $this->json;
        }
    }

    /** Mirrors Magento\Framework\Controller\Result\Raw. */
    class Raw extends AbstractResultStub
    {
        private string $contents = '';

        public function setContents($contents)
        {
            $this->contents = (string) $contents;
            return $this;
        }

        protected function body(): string
        {
            return $this->contents;
        }
    }

    /** Mirrors Magento\Framework\Controller\Result\Redirect: a 302 to setUrl(). */
    class Redirect extends AbstractResultStub
    {
        private string $url = '';

        public function setUrl($url)
        {
            $this->url = (string) $url;
            return $this;
        }

        protected function body(): string
        {
            $this->headers['location'] = $this->url;
            $this->code = 302;
            return '';
        }
    }
}

namespace Magento\Framework\Message {
    /** Declares Magento\Framework\Message\ManagerInterface with the methods the module uses, as Magento declares them. */
    interface ManagerInterface
    {
        public function addErrorMessage($message, $group = null);
    }
}

namespace Magento\Framework\HTTP {
    /** Declares Magento\Framework\HTTP\ClientInterface with the methods the module uses, as Magento declares them. */
    interface ClientInterface
    {
        public function setTimeout($value);
        public function setHeaders($headers);
        public function get($uri);
        public function post($uri, $params);
        public function getHeaders();
        public function getBody();
        public function getStatus();
    }
}

namespace Magento\Framework\HTTP\Client {
    /**
     * Mirrors Magento\Framework\HTTP\Client\Curl::makeRequest(): POST/PUT/PATCH carry the
     * params as body, user options (setOption) are applied last and override the method,
     * curl errors throw \Exception, response headers parsed into name => value.
     */
    class Curl implements \Magento\Framework\HTTP\ClientInterface
    {
        protected $_headers = [];
        protected $_responseHeaders = [];
        protected $_responseBody = '';
        protected $_responseStatus = 0;
        protected $_timeout = 300;
        protected $_curlUserOptions = [];
        protected $_headerCount = 0;
        protected $_ch;

        public function __construct($sslVersion = null)
        {
        }

        public function setTimeout($value)
        {
            $this->_timeout = (int) $value;
        }

        public function setHeaders($headers)
        {
            $this->_headers = $headers;
        }

        public function addHeader($name, $value)
        {
            $this->_headers[$name] = $value;
        }

        public function get($uri)
        {
            $this->makeRequest('GET', $uri);
        }

        public function post($uri, $params)
        {
            $this->makeRequest('POST', $uri, $params);
        }

        public function getHeaders()
        {
            return $this->_responseHeaders;
        }

        public function getBody()
        {
            return $this->_responseBody;
        }

        public function getStatus()
        {
            return $this->_responseStatus;
        }

        public function setOption($name, $value)
        {
            $this->_curlUserOptions[$name] = $value;
        }

        public function setOptions($arr)
        {
            $this->_curlUserOptions = $arr;
        }

        protected function makeRequest($method, $uri, $params = [])
        {
            $this->_ch = curl_init();
            curl_setopt($this->_ch, CURLOPT_URL, $uri);
            if (in_array($method, ['POST', 'PUT', 'PATCH', 'OPTIONS'], true)) {
                curl_setopt($this->_ch, CURLOPT_POSTFIELDS, is_array($params) ? http_build_query($params) : $params);
            }
            if ($method === 'POST') {
                curl_setopt($this->_ch, CURLOPT_POST, 1);
            } elseif ($method === 'GET') {
                curl_setopt($this->_ch, CURLOPT_HTTPGET, 1);
            } else {
                curl_setopt($this->_ch, CURLOPT_CUSTOMREQUEST, $method);
            }
            if (count($this->_headers)) {
                $heads = [];
                foreach ($this->_headers as $k => $v) {
                    $heads[] = $k . ': ' . $v;
                }
                curl_setopt($this->_ch, CURLOPT_HTTPHEADER, $heads);
            }
            if ($this->_timeout) {
                curl_setopt($this->_ch, CURLOPT_TIMEOUT, $this->_timeout);
            }
            curl_setopt($this->_ch, CURLOPT_RETURNTRANSFER, 1);
            curl_setopt($this->_ch, CURLOPT_HEADERFUNCTION, [$this, 'parseHeaders']);
            foreach ($this->_curlUserOptions as $k => $v) {
                curl_setopt($this->_ch, $k, $v);
            }
            $this->_headerCount = 0;
            $this->_responseHeaders = [];
            $this->_responseBody = curl_exec($this->_ch);
            if (curl_errno($this->_ch)) {
                throw new \Exception(curl_error($this->_ch));
            }
        }

        public function parseHeaders($ch, $data)
        {
            if ($this->_headerCount == 0) {
                $line = explode(' ', trim($data), 3);
                $this->_responseStatus = (int) ($line[1] ?? 0);
            } else {
                $out = explode(': ', trim($data), 2);
                if (count($out) == 2 && strlen($out[0])) {
                    $this->_responseHeaders[$out[0]] = $out[1];
                }
            }
            $this->_headerCount++;
            return strlen($data);
        }
    }

    /** Mirrors the generated Magento\Framework\HTTP\Client\CurlFactory. */
    class CurlFactory
    {
        public function create(array $data = [])
        {
            return new Curl();
        }
    }
}

namespace Magento\Framework\Event {
    /** Declares Magento\Framework\Event\ObserverInterface with the methods the module uses, as Magento declares them. */
    interface ObserverInterface
    {
        public function execute(Observer $observer);
    }

    /** Mirrors Magento\Framework\Event\Event: its data and the getters the module uses. */
    class Event extends \Magento\Framework\DataObject
    {
    }

    /** Mirrors Magento\Framework\Event\Observer: getEvent() carries the dispatched data. */
    class Observer extends \Magento\Framework\DataObject
    {
        public function getEvent()
        {
            return $this->getData('event');
        }
    }

    /** Declares Magento\Framework\Event\ManagerInterface with the methods the module uses, as Magento declares them. */
    interface ManagerInterface
    {
        public function dispatch($eventName, array $data = []);
    }
}

namespace Magento\Framework\Notification {
    /**
     * Mirrors Magento\Framework\Notification\MessageList: the `messages` argument (etc/adminhtml/di.xml)
     * names classes, each got from the object manager, kept by getIdentity(); a class that is not a
     * MessageInterface is an UnexpectedValueException.
     */
    class MessageList
    {
        protected $_messages;

        /** @param callable(string): object $objectManagerGet */
        public function __construct(private $objectManagerGet, protected $_messageClasses = [])
        {
        }

        protected function _loadMessages()
        {
            if (!empty($this->_messages)) {
                return;
            }
            foreach ($this->_messageClasses as $key => $messageClass) {
                if (!$messageClass) {
                    throw new \InvalidArgumentException('Message class for message "' . $key . '" is not set');
                }
                $message = ($this->objectManagerGet)($messageClass);
                if (!$message instanceof MessageInterface) {
                    throw new \UnexpectedValueException('Message class has to implement the message interface.');
                }
                $this->_messages[$message->getIdentity()] = $message;
            }
        }

        public function asArray()
        {
            $this->_loadMessages();
            return $this->_messages;
        }
    }

    /** Mirrors Magento\Framework\Notification\MessageInterface. */
    interface MessageInterface
    {
        public const SEVERITY_CRITICAL = 1;
        public const SEVERITY_MAJOR = 2;
        public const SEVERITY_MINOR = 3;
        public const SEVERITY_NOTICE = 4;
        public function getIdentity();
        public function isDisplayed();
        public function getText();
        public function getSeverity();
    }
}

namespace Magento\Framework\Api {
    /** Mirrors Magento\Framework\Api\SearchCriteria: its data and the getters the module uses. */
    class SearchCriteria extends \Magento\Framework\DataObject
    {
        public function getFilterGroups()
        {
            return $this->getData('filter_groups') ?? [];
        }

        public function getPageSize()
        {
            return $this->getData('page_size');
        }
    }

    /** Mirrors Magento\Framework\Api\SearchCriteriaBuilder: filters ANDed, create() resets the builder. */
    class SearchCriteriaBuilder
    {
        private array $filters = [];
        private ?int $pageSize = null;

        public function addFilter($field, $value, $conditionType = 'eq')
        {
            $this->filters[] = [$field, $value, $conditionType];
            return $this;
        }

        public function setPageSize($pageSize)
        {
            $this->pageSize = (int) $pageSize;
            return $this;
        }

        public function create()
        {
            $criteria = new SearchCriteria(['filter_groups' => $this->filters, 'page_size' => $this->pageSize]);
            $this->filters = [];
            $this->pageSize = null;
            return $criteria;
        }
    }
}

namespace Magento\Framework\View\Element\UiComponent\Control {
    /** Declares Magento\Framework\View\Element\UiComponent\Control\ButtonProviderInterface, as Magento declares it. */
    interface ButtonProviderInterface
    {
        public function getButtonData();
    }
}

namespace Magento\Backend\Model {
    /** Declares Magento\Backend\Model\UrlInterface with the methods the module uses, as Magento declares them. */
    interface UrlInterface
    {
        public const SECRET_KEY_PARAM_NAME = 'key';
        public function getUrl($routePath = null, $routeParams = null);
        public function useSecretKey();
        public function getSecretKey($routeName = null, $controller = null, $action = null);
        public function getStartupPageUrl();
    }

    /**
     * Mirrors Magento\Backend\Model\Url::getUrl(): route params as `name/<value>/` path segments,
     * then the secret key as a `key/<value>/` segment when "Add Secret Key to URLs" is on,
     * `_query` as the query string.
     */
    class Url implements UrlInterface
    {
        public function __construct(private bool $useSecretKey = true, private string $secret = 's3cr3tUrlK3y')
        {
        }

        public function getUrl($routePath = null, $routeParams = null)
        {
            $query = $routeParams['_query'] ?? [];
            $url = 'https://shop.example/admin/' . trim((string) $routePath, '/') . '/';
            foreach ((array) $routeParams as $name => $value) {  // route params as path segments, before the key
                if (is_string($name) && !str_starts_with($name, '_') && is_scalar($value)) {
                    $url .= $name . '/' . $value . '/';
                }
            }
            if ($this->useSecretKey) {
                $url .= self::SECRET_KEY_PARAM_NAME . '/' . $this->secret . '/';
            }
            return $url . ($query ? '?' . http_build_query($query) : '');
        }

        public function useSecretKey()
        {
            return $this->useSecretKey;
        }

        public function getSecretKey($routeName = null, $controller = null, $action = null)
        {
            return $this->secret;
        }

        public function getStartupPageUrl()
        {
            return 'admin/dashboard';
        }
    }

    /** Mirrors Magento\Backend\Model\Auth: isLoggedIn() from the admin session. */
    class Auth
    {
        public function __construct(private ?Auth\Session $session = null)
        {
        }

        public function isLoggedIn()
        {
            return $this->session !== null && $this->session->isLoggedIn();
        }

        public function getAuthStorage()
        {
            return $this->session;
        }
    }
}

namespace Magento\Backend\Model\Auth {
    /** Mirrors Magento\Backend\Model\Auth\Session::getUser()/isLoggedIn(). */
    class Session
    {
        public function __construct(private $user = null)
        {
        }

        public function getUser()
        {
            return $this->user;
        }

        public function isLoggedIn()
        {
            return $this->user !== null;
        }
    }
}

namespace Magento\User\Model {
    /** Mirrors Magento\User\Model\User: its data and the getters the module uses. */
    class User extends \Magento\Framework\DataObject
    {
        public function getUserName()
        {
            return $this->getData('username');
        }
    }
}

namespace Magento\Backend\Model\View\Result {
    /** The admin page result: its layout holds the module's fragment block. */
    class Page extends \Magento\Framework\Controller\Result\AbstractResultStub
    {
        public ?string $activeMenu = null;
        public array $title = [];
        private \Magento\Backend\Block\Template $block;

        public function __construct()
        {
            $this->block = new \Magento\Backend\Block\Template();
        }

        public function setActiveMenu($itemId)
        {
            $this->activeMenu = $itemId;
            return $this;
        }

        public function getConfig()
        {
            return $this;
        }

        public function getTitle()
        {
            return $this;
        }

        public function prepend($suffix)
        {
            array_unshift($this->title, (string) $suffix);
        }

        public function getLayout()
        {
            return $this;
        }

        public function getBlock($name)
        {
            return $name === 'channel.amazon.fragment' ? $this->block : false;
        }

        protected function body(): string
        {
            return (string) $this->block->getData('fragment_html');
        }
    }
}

namespace Magento\Backend\Block {
    /** Mirrors Magento\Backend\Block\Template: its data and the getters the module uses. */
    class Template extends \Magento\Framework\DataObject
    {
    }
}

namespace Magento\Backend\App\Action {
    /** Mirrors the collaborators Magento\Backend\App\Action\Context hands to an admin action. */
    class Context
    {
        public function __construct(
            private \Magento\Framework\App\Request\Http $request,
            private \Magento\Framework\App\Response\Http $response,
            private \Magento\Framework\AuthorizationInterface $authorization,
            private \Magento\Backend\Model\Auth $auth,
            private \Magento\Backend\Model\UrlInterface $backendUrl,
            private \Magento\Framework\Data\Form\FormKey\Validator $formKeyValidator,
            private \Magento\Framework\Controller\ResultFactory $resultFactory,
            private \Magento\Framework\Message\ManagerInterface $messageManager,
            private \Magento\Framework\App\ActionFlag $actionFlag = new \Magento\Framework\App\ActionFlag()
        ) {
        }

        public function getRequest()
        {
            return $this->request;
        }

        public function getResponse()
        {
            return $this->response;
        }

        public function getAuthorization()
        {
            return $this->authorization;
        }

        public function getAuth()
        {
            return $this->auth;
        }

        public function getBackendUrl()
        {
            return $this->backendUrl;
        }

        public function getFormKeyValidator()
        {
            return $this->formKeyValidator;
        }

        public function getResultFactory()
        {
            return $this->resultFactory;
        }

        public function getMessageManager()
        {
            return $this->messageManager;
        }

        public function getActionFlag()
        {
            return $this->actionFlag;
        }
    }
}

namespace Magento\Backend\App {
    use Magento\Framework\App\ActionInterface;
    use Magento\Framework\App\RequestInterface;

    /**
     * Mirrors Magento\Backend\App\AbstractAction: _processUrlKeys() (form key on POST only,
     * secret URL key otherwise; a failure answers JSON when the query has isAjax/ajax, else
     * redirects to the startup page) and dispatch() (ACL through _isAllowed(): 403 when denied).
     */
    abstract class AbstractAction implements ActionInterface
    {
        public const ADMIN_RESOURCE = 'Magento_Backend::admin';
        public const FLAG_IS_URLS_CHECKED = 'check_url_settings';

        protected $_request;
        protected $_response;
        protected $_authorization;
        protected $_auth;
        protected $_backendUrl;
        protected $_formKeyValidator;
        protected $resultFactory;
        protected $messageManager;
        protected $_actionFlag;
        protected $_publicActions = [];

        public function __construct(Action\Context $context)
        {
            $this->_request = $context->getRequest();
            $this->_response = $context->getResponse();
            $this->_authorization = $context->getAuthorization();
            $this->_auth = $context->getAuth();
            $this->_backendUrl = $context->getBackendUrl();
            $this->_formKeyValidator = $context->getFormKeyValidator();
            $this->resultFactory = $context->getResultFactory();
            $this->messageManager = $context->getMessageManager();
            $this->_actionFlag = $context->getActionFlag();
        }

        public function getRequest()
        {
            return $this->_request;
        }

        public function getResponse()
        {
            return $this->_response;
        }

        protected function _isAllowed()
        {
            return $this->_authorization->isAllowed(static::ADMIN_RESOURCE);
        }

        public function dispatch(RequestInterface $request)
        {
            if (!$this->_processUrlKeys()) {
                return $this->_response;
            }
            if (!$this->_isAllowed()) {
                $this->_response->setStatusHeader(403, '1.1', 'Forbidden');
                return $this->_response;
            }
            return $this->execute();
        }

        public function _processUrlKeys()
        {
            $isValidFormKey = true;
            $isValidSecretKey = true;
            $message = '';
            if ($this->_auth->isLoggedIn()) {
                if ($this->getRequest()->isPost()) {
                    $isValidFormKey = $this->_formKeyValidator->validate($this->getRequest());
                    $message = (string) __('Invalid Form Key. Please refresh the page.');
                } elseif ($this->_backendUrl->useSecretKey()) {
                    $isValidSecretKey = $this->_validateSecretKey();
                    $message = (string) __('You entered an invalid Secret Key. Please refresh the page.');
                }
            }
            if (!$isValidFormKey || !$isValidSecretKey) {
                $this->_actionFlag->set('', self::FLAG_NO_DISPATCH, true);
                if ($this->getRequest()->getQuery('isAjax', false) || $this->getRequest()->getQuery('ajax', false)) {
                    $this->getResponse()->representJson(json_encode(['error' => true, 'message' => $message]));
                } else {
                    $this->getResponse()->setRedirect($this->_backendUrl->getUrl($this->_backendUrl->getStartupPageUrl()));
                }
                return false;
            }
            return true;
        }

        protected function _validateSecretKey()
        {
            if (in_array($this->getRequest()->getActionName(), $this->_publicActions, true)) {
                return true;
            }
            $secretKey = $this->getRequest()->getParam(\Magento\Backend\Model\UrlInterface::SECRET_KEY_PARAM_NAME, null);
            return $secretKey && $secretKey == $this->_backendUrl->getSecretKey();
        }
    }

    /** Mirrors Magento\Backend\App\Action (AbstractAction does the work). */
    abstract class Action extends AbstractAction
    {
    }
}

namespace Magento\Backend\App\Request {
    use Magento\Backend\App\AbstractAction;
    use Magento\Framework\App\ActionInterface;
    use Magento\Framework\App\Request\InvalidRequestException;
    use Magento\Framework\App\RequestInterface;

    /** Mirrors Magento\Backend\App\Request\BackendValidator::validate() for AbstractAction actions. */
    class BackendValidator implements \Magento\Framework\App\Request\ValidatorInterface
    {
        public function validate(RequestInterface $request, ActionInterface $action): void
        {
            if ($action instanceof AbstractAction) {
                if (!$action->_processUrlKeys()) {
                    throw new InvalidRequestException($action->getResponse());
                }
            }
        }
    }
}

namespace Magento\Framework\Module {
    /** Mirrors Magento\Framework\Module\PackageInfo::getVersion(): the "version" of the module's composer.json. */
    class PackageInfo
    {
        /** @param array<string, string> $composerFiles module name => composer.json path */
        public function __construct(private array $composerFiles = [])
        {
        }

        public function getVersion($moduleName)
        {
            $file = $this->composerFiles[$moduleName] ?? null;
            if ($file === null || !is_file($file)) {
                return '';
            }
            return (string) (json_decode((string) file_get_contents($file), true)['version'] ?? '');
        }
    }
}

namespace Psr\Log {
    /** Declares Psr\Log\LoggerInterface with the methods the module uses, as Magento declares them. */
    interface LoggerInterface
    {
        public function emergency($message, array $context = []);
        public function alert($message, array $context = []);
        public function critical($message, array $context = []);
        public function error($message, array $context = []);
        public function warning($message, array $context = []);
        public function notice($message, array $context = []);
        public function info($message, array $context = []);
        public function debug($message, array $context = []);
        public function log($level, $message, array $context = []);
    }
}

namespace {
    if (!function_exists('__')) {
        /** Mirrors app/functions.php __(): a Phrase. */
        function __(...$argc)
        {
            $text = array_shift($argc);
            if (!empty($argc) && is_array($argc[0])) {
                $argc = $argc[0];
            }
            return new \Magento\Framework\Phrase((string) $text, $argc);
        }
    }
}

namespace Magento\Framework\App\Filesystem {
    /** Mirrors Magento\Framework\App\Filesystem\DirectoryList: the codes of Magento's directories. */
    class DirectoryList
    {
        public const ROOT = 'base';
        public const VAR_DIR = 'var';
    }
}

namespace Magento\Framework\Filesystem\Directory {
    /** Declares Magento\Framework\Filesystem\Directory\ReadInterface with the methods the module uses. */
    interface ReadInterface
    {
        public function getAbsolutePath($path = null, $scheme = null);
        public function read($path = null);
        public function stat($path);
        public function isFile($path);
    }

    /** Declares Magento\Framework\Filesystem\Directory\WriteInterface with the methods the module uses. */
    interface WriteInterface extends ReadInterface
    {
        public function create($path = null);
        public function delete($path = null);
    }

    /**
     * Mirrors Magento\Framework\Filesystem\Directory\Write on the local driver: paths relative to the
     * directory, read() lists a folder recursively as relative paths, delete() of nothing is true.
     */
    class Write implements WriteInterface
    {
        public function __construct(private readonly string $root)
        {
        }

        public function getAbsolutePath($path = null, $scheme = null)
        {
            return rtrim($this->root, '/') . '/' . ltrim((string) $path, '/');
        }

        public function read($path = null)
        {
            $base = $this->getAbsolutePath($path);
            $found = [];
            if (!is_dir($base)) {
                return $found;
            }
            $files = new \RecursiveIteratorIterator(
                new \RecursiveDirectoryIterator($base, \FilesystemIterator::SKIP_DOTS),
                \RecursiveIteratorIterator::SELF_FIRST
            );
            foreach ($files as $file) {
                $found[] = substr($file->getPathname(), strlen(rtrim($this->root, '/')) + 1);
            }
            sort($found);
            return $found;
        }

        public function stat($path)
        {
            $stat = @stat($this->getAbsolutePath($path));
            if ($stat === false) {
                throw new \Magento\Framework\Exception\LocalizedException(
                    new \Magento\Framework\Phrase('Cannot gather stats! %1', [$path])
                );
            }
            return $stat;
        }

        public function isFile($path)
        {
            return is_file($this->getAbsolutePath($path));
        }

        public function create($path = null)
        {
            $absolute = $this->getAbsolutePath($path);
            return is_dir($absolute) || mkdir($absolute, 0777, true);
        }

        public function delete($path = null)
        {
            $absolute = $this->getAbsolutePath($path);
            if (is_dir($absolute)) {
                return rmdir($absolute);
            }
            return !file_exists($absolute) || unlink($absolute);
        }
    }
}

namespace Magento\Framework {
    /** Mirrors Magento\Framework\Filesystem: a Write for each directory code, under one root here. */
    class Filesystem
    {
        public function __construct(private readonly string $root)
        {
        }

        public function getDirectoryWrite($directoryCode, $driverCode = 'file')
        {
            $path = $directoryCode === \Magento\Framework\App\Filesystem\DirectoryList::ROOT ? '' : '/' . $directoryCode;
            return new \Magento\Framework\Filesystem\Directory\Write($this->root . $path);
        }
    }
}

namespace Magento\Framework\App\Response {
    /**
     * Mirrors Magento\Framework\App\Response\File (2.4.8): the download's headers, and on
     * sendResponse() the file echoed in chunks, then removed when the options say so.
     */
    class File extends Http
    {
        /** @param array<string, mixed> $options */
        public function __construct(private readonly \Magento\Framework\Filesystem $filesystem, private readonly array $options)
        {
            $this->setHttpResponseCode(200);
            $this->setHeader('Content-Type', (string) $options['contentType'], true);
            $this->setHeader('Content-Length', (string) $options['contentLength'], true);
            $this->setHeader('Content-Disposition', 'attachment; filename="' . $options['fileName'] . '"', true);
            $this->setHeader('Pragma', 'public', true);
            $this->setHeader('Cache-Control', 'must-revalidate, post-check=0, pre-check=0', true);
        }

        public function getFilePath(): string
        {
            return (string) $this->options['filePath'];
        }

        public function sendResponse()
        {
            $dir = $this->filesystem->getDirectoryWrite($this->options['directoryCode']);
            $stream = fopen($dir->getAbsolutePath($this->options['filePath']), 'rb');
            while (!feof($stream)) {
                echo fread($stream, 1024);
            }
            fclose($stream);
            if ($this->options['remove']) {
                $dir->delete($this->options['filePath']);
            }
        }
    }
}

namespace Magento\Framework\App\Response\Http {
    /**
     * Mirrors Magento\Framework\App\Response\Http\FileFactory::create() of 2.4.8 for a file
     * (['type' => 'filename', 'value' => path]): refused when missing, sent by a File response.
     */
    class FileFactory
    {
        public function __construct(private readonly \Magento\Framework\Filesystem $filesystem)
        {
        }

        public function create(
            $fileName,
            $content,
            $baseDir = \Magento\Framework\App\Filesystem\DirectoryList::ROOT,
            $contentType = 'application/octet-stream',
            $contentLength = null
        ) {
            if (!is_array($content) || ($content['type'] ?? null) !== 'filename' || !isset($content['value'])) {
                throw new \InvalidArgumentException('Only file content is mirrored here.');
            }
            $dir = $this->filesystem->getDirectoryWrite($baseDir);
            if (!$dir->isFile($content['value'])) {
                throw new \Exception('File not found');
            }
            return new \Magento\Framework\App\Response\File($this->filesystem, [
                'filePath' => $content['value'],
                'fileName' => $fileName,
                'contentType' => $contentType,
                'contentLength' => $dir->stat($content['value'])['size'],
                'directoryCode' => $baseDir,
                'remove' => !empty($content['rm']),
            ]);
        }
    }
}
