<?php

declare(strict_types=1);

namespace Channel\Amazon\Model;

use Channel\Amazon\Model\Bridge\Client;
use Magento\Backend\Model\UrlInterface;

/**
 * Fetches one admin fragment from the bridge, with links and calls routed back through
 * the module's controllers (admin URL keys and form key intact).
 */
class FragmentLoader
{
    /** Query parameters a page may pass through to the bridge. */
    public const PASSTHROUGH = ['account_id', 'tab', 'sku', 'name', 'asin', 'reason', 'sort', 'page', 'per_page', 'status'];

    public function __construct(
        private readonly Client $client,
        private readonly AclGrants $grants,
        private readonly AdminContext $admin,
        private readonly UrlInterface $url
    ) {
    }

    /**
     * @param array<string, mixed> $params request parameters
     */
    public function load(string $view, array $params, string $formKey): string
    {
        $query = [];
        foreach (self::PASSTHROUGH as $key) {
            if (isset($params[$key]) && is_scalar($params[$key])) {
                $query[$key] = (string) $params[$key];
            }
        }
        $headers = [
            'X-Channel-Link-Base' => $this->url->getUrl('channel_amazon/page/view', ['_query' => ['path' => '__PATH__']]),
            'X-Channel-Api-Base' => $this->url->getUrl('channel_amazon/action/post', ['_query' => ['path' => '__PATH__']]),
            'X-Channel-Form-Key' => $formKey,
        ];
        $response = $this->client->request(
            'GET',
            '/fragments/' . $view,
            $query,
            null,
            $this->admin->username(),
            $this->grants->granted(),
            $headers
        );
        return $response->body;
    }
}
