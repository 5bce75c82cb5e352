<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\System;

use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Config;
use Magento\Framework\App\CacheInterface;
use Magento\Framework\Module\PackageInfo;

/**
 * What the admin's system messages say about the channel, read from the bridge at most once
 * a minute (Magento asks on every admin page): its active alerts, whether it answers at all,
 * and whether its version (/api/v1/health) is the module's (composer.json), major.minor. Never throws.
 */
class BridgeMessages
{
    public const MODULE = 'Channel_Amazon';
    public const CACHE_LIFETIME = 60;
    private const CACHE_KEY = 'channel_amazon_bridge_messages_';

    /** @var array{reachable: bool, error: string, alerts: array<int, array<string, mixed>>, version: ?string}|null */
    private ?array $state = null;

    public function __construct(
        private readonly Client $client,
        private readonly Config $config,
        private readonly CacheInterface $cache,
        private readonly AclGrants $grants,
        private readonly AdminContext $admin,
        private readonly PackageInfo $packageInfo
    ) {
    }

    /**
     * @return array{reachable: bool, error: string, alerts: array<int, array<string, mixed>>, version: ?string}
     */
    public function state(): array
    {
        if ($this->state !== null) {
            return $this->state;
        }
        if (!$this->config->isConfigured()) {
            return $this->state = ['reachable' => true, 'error' => '', 'alerts' => [], 'version' => null];
        }
        $grants = $this->grants->granted();
        $key = self::CACHE_KEY . sha1(implode(',', $grants));
        $cached = $this->cache->load($key);
        if (is_string($cached) && is_array($decoded = json_decode($cached, true))) {
            return $this->state = $decoded;
        }
        $state = ['reachable' => true, 'error' => '', 'alerts' => [], 'version' => null];
        try {
            $health = $this->client->getJson('/api/v1/health', [], $this->admin->username(), $grants);
            $state['version'] = isset($health['version']) ? (string) $health['version'] : null;
            try {
                $alerts = $this->client->getJson('/api/v1/alerts', [], $this->admin->username(), $grants);
                $state['alerts'] = array_values(array_filter((array) ($alerts['alerts'] ?? []), 'is_array'));
            } catch (BridgeException $e) {
                if ($e->getStatus() >= 500 || $e->getStatus() === 0) {
                    throw $e;
                }
                // 404 (a bridge without alerts) or 403 (a role without the grant): nothing to show.
            } catch (\JsonException) {
                // not JSON (a bridge without alerts answering with a page): nothing to show.
            }
        } catch (\Throwable $e) {
            // Magento asks every admin page for its messages: nothing here may break a page.
            $state = ['reachable' => false, 'error' => $e->getMessage(), 'alerts' => [], 'version' => null];
        }
        $this->cache->save((string) json_encode($state), $key, [], self::CACHE_LIFETIME);
        return $this->state = $state;
    }

    /** The bridge's version when its major.minor differs from this module's, else null. */
    public function versionMismatch(): ?string
    {
        $version = $this->state()['version'];
        if ($version === null || self::minor($version) === self::minor($this->moduleVersion())) {
            return null;
        }
        return $version;
    }

    public function moduleVersion(): string
    {
        return (string) $this->packageInfo->getVersion(self::MODULE);
    }

    private static function minor(string $version): string
    {
        return implode('.', array_slice(explode('.', $version), 0, 2));
    }
}
