<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

/**
 * Signs bridge requests exactly as bridge/signing.py verifies them (shared vectors file).
 */
class Signer
{
    public const VERSION = 'v1';

    /**
     * @param array<int, array{0: string, 1: string}> $queryPairs
     */
    public function canonicalQuery(array $queryPairs): string
    {
        $pairs = array_map(static fn (array $p): array => [(string) $p[0], (string) $p[1]], $queryPairs);
        usort($pairs, static fn (array $a, array $b): int => [$a[0], $a[1]] <=> [$b[0], $b[1]]);
        return implode('&', array_map(
            static fn (array $p): string => rawurlencode($p[0]) . '=' . rawurlencode($p[1]),
            $pairs
        ));
    }

    /**
     * @param string[] $grants
     */
    public function aclHeader(array $grants): string
    {
        $grants = array_values(array_unique($grants));
        sort($grants, SORT_STRING);
        return implode(',', $grants);
    }

    /**
     * @param array<int, array{0: string, 1: string}> $queryPairs
     */
    public function stringToSign(
        string $id,
        string $timestamp,
        string $method,
        string $path,
        array $queryPairs,
        string $user,
        string $acl,
        string $body
    ): string {
        return implode("\n", [
            self::VERSION, $id, $timestamp, strtoupper($method), $path,
            $this->canonicalQuery($queryPairs), $user, $acl, hash('sha256', $body),
        ]);
    }

    /**
     * @param array<int, array{0: string, 1: string}> $queryPairs
     */
    public function sign(
        string $secret,
        string $id,
        string $timestamp,
        string $method,
        string $path,
        array $queryPairs,
        string $user,
        string $acl,
        string $body
    ): string {
        $mac = hash_hmac(
            'sha256',
            $this->stringToSign($id, $timestamp, $method, $path, $queryPairs, $user, $acl, $body),
            $secret,
            true
        );
        return self::VERSION . ',' . base64_encode($mac);
    }

    /**
     * The headers of one signed request.
     *
     * @param array<int, array{0: string, 1: string}> $queryPairs
     * @param string[] $grants
     * @return array<string, string>
     */
    public function headers(
        string $secret,
        string $method,
        string $path,
        array $queryPairs,
        string $body,
        string $user,
        array $grants,
        ?string $id = null,
        ?int $timestamp = null
    ): array {
        $id = $id ?? bin2hex(random_bytes(16));
        $timestamp = (string) ($timestamp ?? time());
        $acl = $this->aclHeader($grants);
        return [
            'X-Channel-Id' => $id,
            'X-Channel-Timestamp' => $timestamp,
            'X-Channel-User' => $user,
            'X-Channel-Acl' => $acl,
            'X-Channel-Signature' => $this->sign($secret, $id, $timestamp, $method, $path, $queryPairs, $user, $acl, $body),
        ];
    }
}
