<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

/**
 * Sends one HTTP request to the bridge.
 */
interface TransportInterface
{
    /**
     * @param array<string, string> $headers
     * @throws BridgeUnavailable
     */
    public function send(
        string $method,
        string $url,
        array $headers,
        string $body,
        float $connectTimeout,
        float $timeout
    ): Response;
}
