<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Action;

use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\Bridge\Client;
use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Framework\App\Action\HttpGetActionInterface;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\Controller\ResultFactory;
use Magento\Framework\Controller\ResultInterface;

/**
 * Forwards the fragments' JSON calls to the bridge's /api/v1 (form key checked on writes).
 */
class Post extends Action implements HttpPostActionInterface, HttpGetActionInterface
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::listings';

    public function __construct(
        Context $context,
        private readonly Client $client,
        private readonly AclGrants $grants,
        private readonly AdminContext $admin
    ) {
        parent::__construct($context);
    }

    public function execute(): ResultInterface
    {
        $result = $this->resultFactory->create(ResultFactory::TYPE_JSON);
        $request = $this->getRequest();
        $parts = parse_url((string) $request->getParam('path', '')) ?: [];
        $path = (string) ($parts['path'] ?? '');
        if (!str_starts_with($path, '/api/v1/') || str_contains($path, '..')) {
            return $result->setHttpResponseCode(400)->setData(
                ['error' => ['code' => 'bad_path', 'message' => (string) __('Only bridge API paths can be called.')]]
            );
        }
        $method = strtoupper((string) $request->getMethod());
        if ($method !== 'GET' && !$this->_formKeyValidator->validate($request)) {
            return $result->setHttpResponseCode(403)->setData(
                ['error' => ['code' => 'invalid_form_key', 'message' => (string) __('Reload the page and try again.')]]
            );
        }
        parse_str((string) ($parts['query'] ?? ''), $query);
        $body = $method === 'GET' ? null : json_decode((string) $request->getContent(), true);
        try {
            $response = $this->client->request(
                $method,
                $path,
                $query,
                is_array($body) ? $body : ($method === 'GET' ? null : []),
                $this->admin->username(),
                $this->grants->granted()
            );
        } catch (BridgeException $e) {
            return $result->setHttpResponseCode($e->getStatus() ?: 503)->setData(
                ['error' => ['code' => $e->getErrorCode(), 'message' => $e->getMessage()]]
            );
        }
        if (!str_contains($response->contentType, 'json')) {
            $raw = $this->resultFactory->create(ResultFactory::TYPE_RAW);
            $raw->setHeader('Content-Type', $response->contentType, true);
            return $raw->setContents($response->body);
        }
        return $result->setHttpResponseCode($response->status)->setData($response->json());
    }
}
