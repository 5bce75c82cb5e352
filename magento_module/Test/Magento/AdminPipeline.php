<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento;

use Magento\Backend\App\Action\Context;
use Magento\Backend\App\Request\BackendValidator;
use Magento\Backend\Model\Auth;
use Magento\Backend\Model\Auth\Session;
use Magento\Backend\Model\Url;
use Magento\Framework\App\ActionInterface;
use Magento\Framework\App\Request\Http;
use Magento\Framework\App\Request\HttpMethodValidator;
use Magento\Framework\App\Request\InvalidRequestException;
use Magento\Framework\App\Response\Http as HttpResponse;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Controller\ResultFactory;
use Magento\Framework\Controller\ResultInterface;
use Magento\Framework\Data\Form\FormKey;
use Magento\Framework\Data\Form\FormKey\Validator;
use Magento\Framework\Exception\NotFoundException;
use Magento\Framework\Message\ManagerInterface;
use Magento\User\Model\User;

/**
 * An admin request through what Magento 2.4.8's front controller does with it
 * (Magento\Framework\App\FrontController::processRequest()): the request validators of the
 * adminhtml area (HttpMethodValidator, then BackendValidator: form key on POST, secret URL
 * key otherwise), a replacing result when they refuse (404 for a refused method), then the
 * action's dispatch() (ACL) and its result rendered into the response.
 */
class AdminPipeline
{
    /** @var string[] */
    public array $messages = [];
    public FormKey $formKey;
    public Url $url;

    /** @param string[] $allowed ACL resources the admin role grants */
    public function __construct(private array $allowed, bool $secretKeys = true, private bool $loggedIn = true)
    {
        $this->formKey = new FormKey('K3yOfTh1sSession');
        $this->url = new Url($secretKeys);
    }

    /**
     * A request as the admin router builds it from a URL the module generated: the secret key
     * (a `key/<value>/` path segment) becomes the `key` parameter.
     *
     * @param array<string, mixed> $query
     * @param array<string, string> $headers
     */
    public function request(string $method, array $query, string $content = '', array $headers = [], bool $withKey = true): Http
    {
        if ($withKey) {
            $query += ['key' => $this->url->getSecretKey()];
        }
        return new Http($method, $query, [], $content, $headers);
    }

    public function context(Http $request): Context
    {
        $allowed = $this->allowed;
        $authorization = new class ($allowed) implements AuthorizationInterface {
            public function __construct(private array $allowed)
            {
            }

            public function isAllowed($resource, $privilege = null)
            {
                return in_array($resource, $this->allowed, true);
            }
        };
        $messages = new class ($this->messages) implements ManagerInterface {
            public function __construct(private array &$store)
            {
            }

            public function addErrorMessage($message, $group = null)
            {
                $this->store[] = (string) $message;
                return $this;
            }
        };
        $session = new Session($this->loggedIn ? new User(['username' => 'jane']) : null);
        return new Context(
            $request,
            new HttpResponse(),
            $authorization,
            new Auth($session),
            $this->url,
            new Validator($this->formKey),
            new ResultFactory(),
            $messages
        );
    }

    /**
     * @param callable(Context): ActionInterface $makeAction
     */
    public function dispatch(callable $makeAction, Http $request): HttpResponse
    {
        $context = $this->context($request);
        $action = $makeAction($context);
        $response = $context->getResponse();
        $result = null;
        try {
            (new HttpMethodValidator())->validate($request, $action);
            (new BackendValidator())->validate($request, $action);
        } catch (InvalidRequestException $e) {
            $result = $e->getReplaceResult();
        }
        if ($result instanceof NotFoundException) {
            return $response->setHttpResponseCode(404)->setBody('noroute');
        }
        $result ??= $action->dispatch($request);
        if ($result instanceof HttpResponse) {
            return $result; // App\Http::launch() sends a response the action returned (a file download)
        }
        if ($result instanceof ResultInterface) {
            $result->renderResult($response);
        }
        return $response;
    }
}
