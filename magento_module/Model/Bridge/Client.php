<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

use Channel\Amazon\Model\Config;

/**
 * Signed calls to the bridge: fragments for admin pages, JSON for actions and orders.
 */
class Client
{
    /** The bridge's answer when a sync held the rows a write needs: nothing was changed, try again. */
    public const DATABASE_BUSY = 'database_busy';

    public function __construct(
        private readonly Config $config,
        private readonly Signer $signer,
        private readonly TransportInterface $transport
    ) {
    }

    /**
     * @param array<string, scalar|null> $query
     * @param string[] $grants
     * @param array<string, string> $extraHeaders
     * @throws BridgeException
     */
    public function request(
        string $method,
        string $path,
        array $query,
        ?array $json,
        string $user,
        array $grants,
        array $extraHeaders = []
    ): Response {
        $body = null;
        if ($json !== null) {
            // An empty PHP array is a JSON object here: the bridge's bodies are objects.
            $body = $json === [] ? '{}' : (string) json_encode($json, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
        }
        return $this->send($method, $path, $query, $body, $user, $grants, $extraHeaders);
    }

    /**
     * One signed call with the body exactly as given (the admin proxy forwards what it received);
     * with $raiseClientErrors off, a 4xx answer is returned as it came.
     *
     * @param array<string, scalar|null> $query
     * @param string[] $grants
     * @param array<string, string> $extraHeaders
     * @throws BridgeException
     */
    public function send(
        string $method,
        string $path,
        array $query,
        ?string $body,
        string $user,
        array $grants,
        array $extraHeaders = [],
        bool $raiseClientErrors = true
    ): Response {
        [$url, $headers] = $this->signed($method, $path, $query, $body, $user, $grants);
        $response = $this->transport->send(
            $method,
            $url,
            $headers + $extraHeaders,
            $body ?? '',
            $this->config->getConnectTimeout(),
            $this->config->getTimeout()
        );
        if ($response->status === 503 && $this->errorCode($response) === self::DATABASE_BUSY) {
            // A definite answer, not an outage: a sync held the rows, nothing was changed.
            throw new BridgeException(
                (string) ($response->json()['error']['message'] ?? 'The store\'s database was busy; try again.'),
                $response->status,
                self::DATABASE_BUSY
            );
        }
        if ($response->status >= 500) {
            throw new BridgeUnavailable(
                sprintf('The Amazon channel bridge failed (HTTP %d); see its log.', $response->status),
                $response->status,
                'bridge_failed'
            );
        }
        if ($raiseClientErrors && $response->status >= 400 && str_contains($response->contentType, 'json')) {
            $error = $response->json()['error'] ?? [];
            throw new BridgeException(
                (string) ($error['message'] ?? 'The bridge refused the request.'),
                $response->status,
                (string) ($error['code'] ?? 'bridge_error')
            );
        }
        return $response;
    }

    /**
     * The bridge's error code of a JSON error answer ('' for any other answer, a proxy's page say).
     */
    private function errorCode(Response $response): string
    {
        if (!str_contains($response->contentType, 'json')) {
            return '';
        }
        try {
            return (string) ($response->json()['error']['code'] ?? '');
        } catch (\JsonException) {
            return '';
        }
    }

    /**
     * The URL and signed headers of one call, for a caller that sends it itself (a file download).
     *
     * @param array<string, scalar|null> $query
     * @param string[] $grants
     * @return array{0: string, 1: array<string, string>}
     * @throws BridgeUnavailable
     */
    public function signed(string $method, string $path, array $query, ?string $body, string $user, array $grants): array
    {
        if (!$this->config->isConfigured()) {
            throw new BridgeUnavailable(
                'Set the bridge URL and shared secret in Stores > Configuration > Services > Amazon Channel.',
                0,
                'not_configured'
            );
        }
        $pairs = [];
        foreach ($query as $key => $value) {
            if ($value !== null && $value !== '') {
                $pairs[] = [(string) $key, (string) $value];
            }
        }
        $headers = $this->signer->headers($this->config->getSecret(), $method, $path, $pairs, $body ?? '', $user, $grants);
        if ($body !== null) {
            $headers['Content-Type'] = 'application/json';
        }
        $url = $this->config->getBridgeUrl() . $path . ($pairs ? '?' . $this->signer->canonicalQuery($pairs) : '');
        return [$url, $headers];
    }

    /**
     * @param array<string, scalar|null> $query
     * @param string[] $grants
     * @return array<mixed>
     */
    public function getJson(string $path, array $query, string $user, array $grants): array
    {
        return $this->request('GET', $path, $query, null, $user, $grants)->json();
    }

    /**
     * @param array<mixed> $json
     * @param string[] $grants
     * @return array<mixed>
     */
    public function postJson(string $path, array $json, string $user, array $grants): array
    {
        return $this->request('POST', $path, [], $json, $user, $grants)->json();
    }
}
