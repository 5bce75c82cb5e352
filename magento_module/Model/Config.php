<?php

declare(strict_types=1);

namespace Channel\Amazon\Model;

use Magento\Framework\App\Config\ScopeConfigInterface;

/**
 * Typed access to the module's system configuration.
 *
 * The shared secret is declared in etc/config.xml with the Encrypted backend model, so
 * Magento's config metadata processing decrypts it on read: getValue() returns plain text.
 */
class Config
{
    public const PATH_URL = 'channel_amazon/bridge/url';
    public const PATH_SECRET = 'channel_amazon/bridge/secret';
    public const PATH_CONNECT_TIMEOUT = 'channel_amazon/bridge/connect_timeout';
    public const PATH_TIMEOUT = 'channel_amazon/bridge/timeout';
    public const PATH_CREATE_ORDERS = 'channel_amazon/orders/create_enabled';

    public function __construct(private readonly ScopeConfigInterface $scopeConfig)
    {
    }

    public function getBridgeUrl(): string
    {
        return rtrim((string) $this->scopeConfig->getValue(self::PATH_URL), '/');
    }

    public function getSecret(): string
    {
        return (string) $this->scopeConfig->getValue(self::PATH_SECRET);
    }

    /** Both the bridge URL and the shared secret are set. */
    public function isConfigured(): bool
    {
        return $this->getBridgeUrl() !== '' && $this->getSecret() !== '';
    }

    public function getConnectTimeout(): float
    {
        return max(0.5, (float) ($this->scopeConfig->getValue(self::PATH_CONNECT_TIMEOUT) ?: 3));
    }

    public function getTimeout(): float
    {
        return max(1.0, (float) ($this->scopeConfig->getValue(self::PATH_TIMEOUT) ?: 15));
    }

    public function isOrderCreationEnabled(): bool
    {
        return $this->scopeConfig->isSetFlag(self::PATH_CREATE_ORDERS);
    }
}
