<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

/**
 * TransportInterface over ext-curl, with connect and response timeouts.
 */
class CurlTransport implements TransportInterface
{
    public function send(
        string $method,
        string $url,
        array $headers,
        string $body,
        float $connectTimeout,
        float $timeout
    ): Response {
        $handle = curl_init($url);
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = $name . ': ' . $value;
        }
        curl_setopt_array($handle, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_CONNECTTIMEOUT_MS => (int) ($connectTimeout * 1000),
            CURLOPT_TIMEOUT_MS => (int) ($timeout * 1000),
            CURLOPT_FOLLOWLOCATION => false,
        ]);
        if ($body !== '') {
            curl_setopt($handle, CURLOPT_POSTFIELDS, $body);
        }
        $result = curl_exec($handle);
        if ($result === false) {
            $error = curl_error($handle);
            curl_close($handle);
            throw new BridgeUnavailable('The Amazon channel bridge cannot be reached: ' . $error, 0, 'bridge_unavailable');
        }
        $status = (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE);
        $type = (string) curl_getinfo($handle, CURLINFO_CONTENT_TYPE);
        curl_close($handle);
        return new Response($status, $type, (string) $result);
    }
}
