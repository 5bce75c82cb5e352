<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

use Magento\Framework\HTTP\Client\CurlFactory;

/**
 * TransportInterface over Magento's HTTP client (a fresh client per request: it keeps state).
 */
class HttpClientTransport implements TransportInterface
{
    public function __construct(private readonly CurlFactory $curlFactory)
    {
    }

    public function send(
        string $method,
        string $url,
        array $headers,
        string $body,
        float $connectTimeout,
        float $timeout
    ): Response {
        $client = $this->curlFactory->create();
        $client->setHeaders($headers);
        $client->setTimeout((int) ceil($timeout));
        $client->setOption(CURLOPT_CONNECTTIMEOUT_MS, (int) ($connectTimeout * 1000));
        $client->setOption(CURLOPT_TIMEOUT_MS, (int) ($timeout * 1000));
        $client->setOption(CURLOPT_FOLLOWLOCATION, false);
        if ($method !== 'GET' && $method !== 'POST') {
            $client->setOption(CURLOPT_CUSTOMREQUEST, $method);
        }
        try {
            if ($method === 'GET') {
                $client->get($url);
            } else {
                $client->post($url, $body);
            }
        } catch (\Exception $e) {
            throw new BridgeUnavailable(
                'The Amazon channel bridge cannot be reached: ' . $e->getMessage(),
                0,
                'bridge_unavailable'
            );
        }
        $type = '';
        foreach ($client->getHeaders() as $name => $value) {
            if (strcasecmp((string) $name, 'Content-Type') === 0) {
                $type = is_array($value) ? (string) end($value) : (string) $value;
            }
        }
        return new Response((int) $client->getStatus(), $type, (string) $client->getBody());
    }
}
