<?php

declare(strict_types=1);

namespace Channel\Amazon\Model;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Encryption\EncryptorInterface;

/**
 * Typed access to the module's system configuration.
 */
class Config
{
    public const PATH_URL = 'channel_amazon/bridge/url';
    public const PATH_SECRET = 'channel_amazon/bridge/secret';
    public const PATH_CONNECT_TIMEOUT = 'channel_amazon/bridge/connect_timeout';
    public const PATH_TIMEOUT = 'channel_amazon/bridge/timeout';
    public const PATH_CREATE_ORDERS = 'channel_amazon/orders/create_enabled';

    public function __construct(
        private readonly ScopeConfigInterface $scopeConfig,
        private readonly EncryptorInterface $encryptor
    ) {
    }

    public function getBridgeUrl(): string
    {
        return rtrim((string) $this->scopeConfig->getValue(self::PATH_URL), '/');
    }

    public function getSecret(): string
    {
        $stored = (string) $this->scopeConfig->getValue(self::PATH_SECRET);
        return $stored === '' ? '' : $this->encryptor->decrypt($stored);
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
