<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Action;

use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\ApiAcl;
use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\Download;
use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Framework\App\Action\HttpDeleteActionInterface;
use Magento\Framework\App\Action\HttpGetActionInterface;
use Magento\Framework\App\Action\HttpPatchActionInterface;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\App\Action\HttpPutActionInterface;
use Magento\Framework\App\Request\Http;
use Magento\Framework\App\ResponseInterface;
use Magento\Framework\Controller\Result\Json;
use Magento\Framework\Controller\Result\Raw;
use Magento\Framework\Controller\ResultFactory;
use Magento\Framework\Controller\ResultInterface;

/**
 * Forwards the pages' calls to the bridge's /api/v1: the method, the path (request parameter
 * `path`) and the JSON body exactly as received.
 *
 * The ACL resource depends on the bridge path (ApiAcl). Magento's backend validation checks
 * the `form_key` parameter of POSTs only; PUT, PATCH and DELETE are checked here the same way,
 * so every write carries `form_key` (and `isAjax`, for a JSON answer on failure) in its URL.
 * A GET for a file (`format=csv`) is spooled to var/ and sent as a download, never held in memory
 * (Model/Bridge/Download).
 */
class Post extends Action implements
    HttpGetActionInterface,
    HttpPostActionInterface,
    HttpPutActionInterface,
    HttpPatchActionInterface,
    HttpDeleteActionInterface
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::amazon';

    public function __construct(
        Context $context,
        private readonly Client $client,
        private readonly AclGrants $grants,
        private readonly AdminContext $admin,
        private readonly ApiAcl $apiAcl,
        private readonly Download $download
    ) {
        parent::__construct($context);
    }

    public function execute(): ResultInterface|ResponseInterface
    {
        /** @var Http $request */
        $request = $this->getRequest();
        $target = $this->target();
        if ($target === null) {
            return $this->error(400, 'bad_path', (string) __('Only bridge API paths can be called.'));
        }
        [$path, $query] = $target;
        $method = strtoupper((string) $request->getMethod());
        if ($method !== 'GET' && !$this->_formKeyValidator->validate($request)) {
            return $this->error(403, 'invalid_form_key', (string) __('Invalid Form Key. Please refresh the page.'));
        }
        $body = null;
        if (!in_array($method, ['GET', 'DELETE'], true)) {
            $body = (string) $request->getContent();
            $body = $body === '' ? '{}' : $body;
        }
        try {
            $response = $method === 'GET' && ($query['format'] ?? '') === 'csv'
                ? $this->download->fetch($path, $query, $this->admin->username(), $this->grants->granted())
                : $this->client->send(
                    $method,
                    $path,
                    $query,
                    $body,
                    $this->admin->username(),
                    $this->grants->granted(),
                    [],
                    false
                );
        } catch (BridgeException $e) {
            return $this->error($e->getStatus() ?: 503, $e->getErrorCode(), $e->getMessage());
        }
        if ($response instanceof ResponseInterface) {
            return $response;
        }
        /** @var Raw $raw */
        $raw = $this->resultFactory->create(ResultFactory::TYPE_RAW);
        $raw->setHttpResponseCode($response->status);
        $raw->setHeader('Content-Type', $response->contentType ?: 'application/json', true);
        return $raw->setContents($response->body);
    }

    /**
     * The admin role must hold the resource of the bridge path called, not one for all calls.
     */
    // phpcs:ignore PSR2.Methods.MethodDeclaration.Underscore -- Magento's AbstractAction::_isAllowed()
    protected function _isAllowed(): bool
    {
        $target = $this->target();
        /** @var Http $request */
        $request = $this->getRequest();
        $resource = $target === null ? self::ADMIN_RESOURCE
            : $this->apiAcl->resourceFor((string) $request->getMethod(), $target[0]);
        return $this->_authorization->isAllowed($resource);
    }

    /**
     * @return array{0: string, 1: array<string, string>}|null
     */
    private function target(): ?array
    {
        $parts = parse_url((string) $this->getRequest()->getParam('path', '')) ?: [];
        $path = (string) ($parts['path'] ?? '');
        if (!str_starts_with($path, '/api/v1/') || str_contains($path, '..')) {
            return null;
        }
        parse_str((string) ($parts['query'] ?? ''), $query);
        return [$path, array_filter($query, 'is_scalar')];
    }

    private function error(int $status, string $code, string $message): ResultInterface
    {
        /** @var Json $result */
        $result = $this->resultFactory->create(ResultFactory::TYPE_JSON);
        $result->setHttpResponseCode($status);
        return $result->setData(['error' => ['code' => $code, 'message' => $message]]);
    }
}
