<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento;

use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\Bridge\TransportInterface;

/**
 * A bridge that records what reaches it (method, URL, headers, body byte for byte) and
 * answers with a canned response.
 */
class RecordingTransport implements TransportInterface
{
    /** @var array<int, array{method: string, url: string, headers: array<string, string>, body: string}> */
    public array $sent = [];

    public function __construct(public Response $answer = new Response(200, 'application/json', '{"ok":true}'))
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
        $this->sent[] = ['method' => $method, 'url' => $url, 'headers' => $headers, 'body' => $body];
        return $this->answer;
    }
}
