<?php

declare(strict_types=1);

namespace Channel\Amazon\Model;

use Magento\Framework\AuthorizationInterface;

/**
 * The module's ACL resources the current admin is allowed, as the bridge expects them.
 */
class AclGrants
{
    public const RESOURCES = [
        'Channel_Amazon::amazon',
        'Channel_Amazon::listings',
        'Channel_Amazon::listings_actions',
        'Channel_Amazon::accounts',
        'Channel_Amazon::orders',
        'Channel_Amazon::orders_actions',
        'Channel_Amazon::orders_buyer_data',
        'Channel_Amazon::logs',
    ];

    public function __construct(private readonly AuthorizationInterface $authorization)
    {
    }

    /**
     * @return string[]
     */
    public function granted(): array
    {
        return array_values(array_filter(
            self::RESOURCES,
            fn (string $resource): bool => $this->authorization->isAllowed($resource)
        ));
    }
}
